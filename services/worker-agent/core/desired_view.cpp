#include "worker-agent/core/desired_view.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "nebula/v1/desired_state.pb.h"

namespace nebula::agent {

namespace {

constexpr std::string_view kAppKeyPrefix = "app/";
constexpr std::string_view kGroupKeyPrefix = "group/";
constexpr std::string_view kCronKeyPrefix = "cron/";
constexpr std::string_view kGlobal = "global";

// A record's envelope, or nullopt when it does not parse or contradicts its key.
std::optional<v1::DesiredState> Envelope(std::string_view key, const std::string& value) {
  v1::DesiredState state;
  if (!state.ParseFromString(value) || state.key() != key) return std::nullopt;
  return state;
}

}  // namespace

std::string_view ToString(ApplyResult result) {
  switch (result) {
    case ApplyResult::kApplied: return "applied";
    case ApplyResult::kStale: return "stale";
    case ApplyResult::kNotMine: return "not mine";
    case ApplyResult::kMalformed: return "malformed";
  }
  return "?";
}

DesiredView::DesiredView(std::vector<std::string> apps) : apps_(std::move(apps)) {}

DesiredView DesiredView::ForGroup(std::string group) {
  DesiredView view({});
  view.group_ = std::move(group);
  return view;
}

bool DesiredView::Follows(std::string_view app) const {
  return std::find(apps().begin(), apps().end(), app) != apps().end();
}

std::vector<std::string> DesiredView::Keys() const {
  std::vector<std::string> keys{std::string(kGlobal)};
  if (group_) keys.push_back(std::string(kGroupKeyPrefix) + *group_);
  for (const auto& app : apps()) keys.push_back(std::string(kAppKeyPrefix) + app);
  for (const auto& job : group_cron_jobs_) keys.push_back(std::string(kCronKeyPrefix) + job);
  return keys;
}

std::vector<CronDesire> DesiredView::CronJobs() const {
  std::vector<CronDesire> out;
  for (const auto& name : group_cron_jobs_) {
    auto it = crons_.find(name);
    if (it == crons_.end() || !it->second.present) continue;
    out.push_back(CronDesire{name, it->second.generation, it->second.job});
  }
  return out;
}

ApplyResult DesiredView::ApplyGroup(const std::optional<std::string>& value) {
  const std::string key = std::string(kGroupKeyPrefix) + *group_;
  if (!value) {
    const bool changed = !group_apps_.empty() || !group_cron_jobs_.empty();
    group_apps_.clear();
    group_cron_jobs_.clear();
    return changed ? ApplyResult::kApplied : ApplyResult::kStale;
  }
  auto state = Envelope(key, *value);
  if (!state || (!state->deleted() &&
                 (state->object_case() != v1::DesiredState::kDeviceGroup || state->device_group().name() != *group_))) {
    return ApplyResult::kMalformed;
  }
  if (state->generation() <= group_generation_) return ApplyResult::kStale;
  group_generation_ = state->generation();
  group_apps_.clear();
  group_cron_jobs_.clear();
  if (!state->deleted()) {
    const auto& g = state->device_group();
    for (const auto& a : g.apps()) {
      if (std::find(group_apps_.begin(), group_apps_.end(), a) == group_apps_.end()) group_apps_.push_back(a);
    }
    for (const auto& c : g.cron_jobs()) {
      if (std::find(group_cron_jobs_.begin(), group_cron_jobs_.end(), c) == group_cron_jobs_.end()) {
        group_cron_jobs_.push_back(c);
      }
    }
    group_prune_generation_ = std::max(group_prune_generation_, g.prune_generation());
  }
  return ApplyResult::kApplied;
}

ApplyResult DesiredView::ApplyGlobal(const std::optional<std::string>& value) {
  if (!value) return ApplyResult::kStale;  // prune generations only grow
  auto state = Envelope(kGlobal, *value);
  if (!state || (!state->deleted() && state->object_case() != v1::DesiredState::kGlobal)) {
    return ApplyResult::kMalformed;
  }
  if (state->generation() <= global_generation_) return ApplyResult::kStale;
  global_generation_ = state->generation();
  if (!state->deleted()) {
    global_prune_generation_ = std::max(global_prune_generation_, state->global().prune_generation());
  }
  return ApplyResult::kApplied;
}

ApplyResult DesiredView::ApplyCron(std::string_view key, std::string_view name,
                                   const std::optional<std::string>& value) {
  if (!value) {
    auto [it, inserted] = crons_.try_emplace(std::string(name));
    const bool changed = inserted || it->second.present;
    it->second.present = false;
    it->second.job.Clear();
    return changed ? ApplyResult::kApplied : ApplyResult::kStale;
  }
  auto state = Envelope(key, *value);
  if (!state ||
      (!state->deleted() && (state->object_case() != v1::DesiredState::kCronJob || state->cron_job().name() != name))) {
    return ApplyResult::kMalformed;
  }
  auto it = crons_.find(name);
  if (it != crons_.end() && state->generation() <= it->second.generation) return ApplyResult::kStale;
  auto& held = crons_[std::string(name)];
  held.generation = state->generation();
  held.present = !state->deleted();
  if (held.present) {
    held.job = std::move(*state->mutable_cron_job());
  } else {
    held.job.Clear();
  }
  return ApplyResult::kApplied;
}

ApplyResult DesiredView::Apply(std::string_view key, const std::optional<std::string>& value) {
  if (key == kGlobal) return ApplyGlobal(value);
  if (key.substr(0, kGroupKeyPrefix.size()) == kGroupKeyPrefix) {
    if (!group_ || key.substr(kGroupKeyPrefix.size()) != *group_) return ApplyResult::kNotMine;
    return ApplyGroup(value);
  }
  if (key.substr(0, kCronKeyPrefix.size()) == kCronKeyPrefix) {
    if (!group_) return ApplyResult::kNotMine;
    return ApplyCron(key, key.substr(kCronKeyPrefix.size()), value);
  }
  if (key.substr(0, kAppKeyPrefix.size()) != kAppKeyPrefix) return ApplyResult::kNotMine;
  const std::string_view app = key.substr(kAppKeyPrefix.size());
  // A group agent keeps the records of apps that left the group: they may come back.
  if (!group_ && !Follows(app)) return ApplyResult::kNotMine;

  if (!value) {
    // Tombstone: carries no generation, and always follows the deleted envelope, so the
    // generation held stays what it was and older replays remain stale.
    auto [it, inserted] = held_.try_emplace(std::string(app));
    const bool changed = inserted || it->second.present;
    it->second.present = false;
    it->second.spec.Clear();
    return changed ? ApplyResult::kApplied : ApplyResult::kStale;
  }

  v1::DesiredState state;
  if (!state.ParseFromString(*value) || state.key() != key) return ApplyResult::kMalformed;
  if (!state.deleted() && (state.object_case() != v1::DesiredState::kApp || state.app().name() != app)) {
    return ApplyResult::kMalformed;
  }

  auto it = held_.find(app);
  if (it != held_.end() && state.generation() <= it->second.generation) return ApplyResult::kStale;
  auto& held = held_[std::string(app)];
  held.generation = state.generation();
  held.present = !state.deleted();
  if (held.present) {
    held.spec = std::move(*state.mutable_app()->mutable_spec());
  } else {
    held.spec.Clear();
  }
  return ApplyResult::kApplied;
}

AppDesire DesiredView::Desire(std::string_view app) const {
  AppDesire desire;
  auto it = held_.find(app);
  if (it == held_.end()) {
    desire.kind = caught_up_ ? DesireKind::kAbsent : DesireKind::kUnknown;
    return desire;
  }
  desire.generation = it->second.generation;
  desire.kind = it->second.present ? DesireKind::kPresent : DesireKind::kAbsent;
  if (it->second.present) desire.spec = it->second.spec;
  return desire;
}

}  // namespace nebula::agent
