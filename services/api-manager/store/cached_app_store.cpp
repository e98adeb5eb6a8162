#include "api-manager/store/cached_app_store.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "common/error.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

Error NotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "app " + QuoteForMessage(name) + " not found; ListApps shows the existing apps");
}

void SleepUnlessStopped(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any wake;
  std::unique_lock lock(mutex);
  wake.wait_for(lock, stop, duration, [] { return false; });
}

}  // namespace

CachedAppStore::CachedAppStore(AppStore& inner, AppChangeFeed& feed, AppCacheSettings settings)
    : inner_(inner), feed_(feed), settings_(std::move(settings)) {}

void CachedAppStore::Run(std::stop_token stop) {
  auto backoff = settings_.retry_backoff_min;
  while (!stop.stop_requested()) {
    bool was_serving = false;
    try {
      RunSession(stop);
    } catch (const std::exception& e) {
      was_serving = Serving();
      spdlog::warn("app cache: {}; reads go to the database until the cache is reloaded (retrying in {} ms)", e.what(),
                   backoff.count());
    }
    cache_.Clear();
    try {
      feed_.Close();
    } catch (const std::exception&) {
      // The session is being dropped anyway.
    }
    if (stop.stop_requested()) break;
    if (was_serving) backoff = settings_.retry_backoff_min;
    SleepUnlessStopped(backoff, stop);
    backoff = std::min(backoff * 2, settings_.retry_backoff_max);
  }
}

void CachedAppStore::RunSession(std::stop_token stop) {
  feed_.Open();
  cache_.Clear();  // whatever happened while no session listened is in the reload below
  FeedBatch loaded{.changes = {}, .as_of = settings_.now()};
  std::vector<AppState> rows = feed_.LoadAll();
  const size_t count = rows.size();
  for (auto& row : rows) cache_.Put(std::move(row));
  Apply(loaded);
  spdlog::info("app cache loaded: {} apps (live and deleted); serving reads from memory", count);
  while (!stop.stop_requested()) Apply(feed_.Wait(settings_.wait_slice));
}

void CachedAppStore::Apply(const FeedBatch& batch) {
  std::vector<std::string> stale;
  for (const auto& change : batch.changes)
    if (cache_.GenerationOf(change.name) < change.generation &&
        std::find(stale.begin(), stale.end(), change.name) == stale.end())
      stale.push_back(change.name);  // not our own write, or one we have not applied yet
  if (!stale.empty())
    for (auto& row : feed_.Load(stale)) cache_.Put(std::move(row));
  cache_.FreshUntil(batch.as_of + settings_.max_staleness);
}

bool CachedAppStore::Serving() const { return cache_.Fresh(settings_.now()); }

nebula::v1::App CachedAppStore::Create(const std::string& name, const nebula::v1::AppSpec& spec,
                                       const WriteInfo& info) {
  nebula::v1::App app = inner_.Create(name, spec, info);
  cache_.Put({app, false});
  return app;
}

nebula::v1::App CachedAppStore::Get(const std::string& name) {
  if (auto cached = cache_.Find(name, settings_.now())) {
    if (!*cached) throw NotFound(name);
    return **cached;
  }
  return inner_.Get(name);
}

AppPage CachedAppStore::List(const std::string& after_name, int limit) {
  if (auto page = cache_.List(after_name, limit, settings_.now())) return std::move(*page);
  return inner_.List(after_name, limit);
}

nebula::v1::App CachedAppStore::Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                                       const WriteInfo& info) {
  nebula::v1::App app = inner_.Update(name, expected_generation, change, info);
  cache_.Put({app, false});
  return app;
}

int64_t CachedAppStore::Delete(const std::string& name, int64_t expected_generation, bool force,
                               const WriteInfo& info) {
  int64_t generation = inner_.Delete(name, expected_generation, force, info);
  AppState deleted{.app = {}, .deleted = true};
  deleted.app.set_name(name);
  deleted.app.set_generation(generation);
  cache_.Put(std::move(deleted));
  return generation;
}

RevisionPage CachedAppStore::ListRevisions(const std::string& name, int64_t before, int limit) {
  return inner_.ListRevisions(name, before, limit);
}

std::optional<Revision> CachedAppStore::GetRevision(const std::string& name, int64_t generation) {
  return inner_.GetRevision(name, generation);
}

}  // namespace nebula::api_manager
