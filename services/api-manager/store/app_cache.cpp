#include "api-manager/store/app_cache.h"

#include <charconv>
#include <mutex>

#include "common/validation.h"

namespace nebula::api_manager {

std::string AppChangePayload(const std::string& name, int64_t generation) {
  return "app " + std::to_string(generation) + " " + name;
}

std::optional<AppChange> ParseAppChange(std::string_view payload) {
  constexpr std::string_view kPrefix = "app ";
  if (payload.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  payload.remove_prefix(kPrefix.size());
  size_t space = payload.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  AppChange change;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + space, change.generation);
  if (ec != std::errc() || end != payload.data() + space || change.generation <= 0) return std::nullopt;
  change.name = std::string(payload.substr(space + 1));
  if (DnsLabelProblem(change.name)) return std::nullopt;
  return change;
}

bool AppCache::Fresh(Clock::time_point now) const {
  return now.time_since_epoch().count() < fresh_until_.load(std::memory_order_acquire);
}

void AppCache::FreshUntil(Clock::time_point until) {
  fresh_until_.store(until.time_since_epoch().count(), std::memory_order_release);
}

void AppCache::Clear() {
  // Under the lock: a reader that saw the cache fresh finishes its lookup before the entries go.
  std::unique_lock lock(mutex_);
  fresh_until_.store(0, std::memory_order_release);
  entries_.clear();
}

bool AppCache::Put(AppState state) {
  const int64_t generation = state.app.generation();
  std::shared_ptr<const nebula::v1::App> app;
  if (!state.deleted) app = std::make_shared<const nebula::v1::App>(std::move(state.app));
  const std::string& name = app ? app->name() : state.app.name();
  std::unique_lock lock(mutex_);
  auto [it, inserted] = entries_.try_emplace(name);
  if (!inserted && it->second.generation >= generation) return false;
  it->second = Entry{std::move(app), generation};
  return true;
}

int64_t AppCache::GenerationOf(const std::string& name) const {
  std::shared_lock lock(mutex_);
  auto it = entries_.find(name);
  return it == entries_.end() ? 0 : it->second.generation;
}

std::optional<std::shared_ptr<const nebula::v1::App>> AppCache::Find(const std::string& name,
                                                                     Clock::time_point now) const {
  std::shared_lock lock(mutex_);
  if (!Fresh(now)) return std::nullopt;
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.app;
}

std::optional<AppPage> AppCache::List(const std::string& after_name, int limit, Clock::time_point now) const {
  AppPage page;
  std::shared_lock lock(mutex_);
  if (!Fresh(now)) return std::nullopt;
  for (auto it = entries_.upper_bound(after_name); it != entries_.end(); ++it) {
    if (!it->second.app) continue;
    if (int(page.apps.size()) >= limit) {
      page.more = true;
      break;
    }
    page.apps.push_back(*it->second.app);
  }
  return page;
}

size_t AppCache::size() const {
  std::shared_lock lock(mutex_);
  return entries_.size();
}

}  // namespace nebula::api_manager
