#include "core/desired_view.h"

#include <algorithm>
#include <utility>

#include "nebula/v1/desired_state.pb.h"

namespace nebula::agent {

namespace {

constexpr std::string_view kAppKeyPrefix = "app/";

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

bool DesiredView::Follows(std::string_view app) const {
  return std::find(apps_.begin(), apps_.end(), app) != apps_.end();
}

ApplyResult DesiredView::Apply(std::string_view key, const std::optional<std::string>& value) {
  if (key.substr(0, kAppKeyPrefix.size()) != kAppKeyPrefix) return ApplyResult::kNotMine;
  const std::string_view app = key.substr(kAppKeyPrefix.size());
  if (!Follows(app)) return ApplyResult::kNotMine;

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
