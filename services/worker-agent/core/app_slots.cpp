#include "worker-agent/core/app_slots.h"

#include <algorithm>

namespace nebula::agent {

namespace {

// Which of several matching containers at one index to keep: the one that is up, then the oldest.
int StateRank(ContainerState state) {
  switch (state) {
    case ContainerState::kRunning: return 0;
    case ContainerState::kRestarting: return 1;
    case ContainerState::kPaused: return 2;
    default: return 3;  // created, exited
  }
}

bool BetterKeeper(const ManagedContainer& a, const ManagedContainer& b) {
  const int ra = StateRank(a.container->state), rb = StateRank(b.container->state);
  if (ra != rb) return ra < rb;
  if (a.container->created != b.container->created) return a.container->created < b.container->created;
  return a.container->id < b.container->id;
}

// A container may keep the slot when it runs the slot's config (and, for apps that pull, the tag's
// current image). A dead one never does: dockerd cannot start it again.
bool IsCurrent(const ManagedContainer& c, const Slot& slot, const std::string& current_image_id) {
  const ObservedContainer& o = *c.container;
  return c.identity.config_hash == slot.spec.config_hash && o.state != ContainerState::kDead &&
         (current_image_id.empty() || o.image_id.empty() || o.image_id == current_image_id);
}

// Readiness of a slot's keeper; sets `ready_in_ms` while it runs and only waits for min_ready_seconds.
SlotState KeeperState(const ObservedContainer& k, const ContainerSpec& spec, const v1::UpdateStrategy& strategy,
                      int64_t now, int64_t& ready_in_ms) {
  const bool health_ok = !strategy.health_gated() || k.health == Health::kNone || k.health == Health::kHealthy;
  const int64_t age_ms = (now - k.created) * 1000;
  const int64_t min_ready_ms = int64_t{strategy.min_ready_seconds()} * 1000;
  if (k.health == Health::kUnhealthy || (k.state == ContainerState::kExited && !NeedsStart(k, spec))) {
    return SlotState::kFailed;
  }
  if (k.state == ContainerState::kCreated) return SlotState::kPending;
  if (k.state == ContainerState::kExited || k.state == ContainerState::kRestarting) return SlotState::kFailed;
  const bool running = k.state == ContainerState::kRunning;
  if (running && health_ok && age_ms >= min_ready_ms) return SlotState::kReady;
  ready_in_ms = running && health_ok ? std::max<int64_t>(min_ready_ms - age_ms, 0) : 0;
  return SlotState::kPending;
}

}  // namespace

bool NeedsStart(const ObservedContainer& c, const ContainerSpec& spec) {
  if (c.state == ContainerState::kCreated) return true;
  if (c.state == ContainerState::kExited) {
    return spec.restart_policy == "unless-stopped" || spec.restart_policy == "always";
  }
  return false;
}

std::vector<Slot> ClassifySlots(const SlotRules& rules, int32_t count,
                                const std::map<int32_t, std::vector<const ManagedContainer*>>& by_index) {
  static const std::vector<const ManagedContainer*> kNone;
  std::vector<Slot> slots;
  for (int32_t i = 0; i < count; ++i) {
    Slot slot;
    slot.index = i;
    slot.spec = BuildContainerSpec(rules.app, *rules.spec, rules.generation, i, rules.settings);
    slot.spec_problems = SpecProblems(slot.spec);
    const auto found = by_index.find(i);
    const auto& candidates = found == by_index.end() ? kNone : found->second;
    for (const ManagedContainer* c : candidates) {
      if (IsCurrent(*c, slot, rules.current_image_id) && (!slot.keeper || BetterKeeper(*c, *slot.keeper))) {
        slot.keeper = c;
      }
    }
    for (const ManagedContainer* c : candidates) {
      if (c == slot.keeper) continue;
      slot.others.push_back(c);
      slot.old_running = slot.old_running || c->container->state == ContainerState::kRunning;
    }
    if (slot.keeper) {
      slot.state =
          KeeperState(*slot.keeper->container, slot.spec, rules.spec->update_strategy(), rules.now, slot.ready_in_ms);
    } else {
      slot.state = slot.others.empty() ? SlotState::kMissing : SlotState::kOld;
    }
    slots.push_back(std::move(slot));
  }
  return slots;
}

bool RollingBudget::TakeTurn(const Slot& slot) {
  if (!rolling) return true;
  // An old container that is down anyway costs nothing to replace, unless the roll stopped.
  const bool free = !slot.old_running && stopped_by.empty();
  if (free) return true;
  if (replaceable <= 0 || !stopped_by.empty()) {
    waiting = waiting || stopped_by.empty();
    return false;
  }
  --replaceable;
  return true;
}

RollingBudget RollingBudgetFor(const std::string& app, const v1::UpdateStrategy& strategy,
                               const std::vector<Slot>& slots) {
  RollingBudget budget;
  if (!strategy.rolling()) return budget;
  budget.rolling = true;
  const int32_t max_unavailable = strategy.max_unavailable() == 0
                                      ? 1
                                      : static_cast<int32_t>(std::min<uint32_t>(strategy.max_unavailable(), 1u << 30));
  // New containers that are not ready yet take the budget; old ones that are down anyway do not.
  int32_t unavailable = 0;
  for (const auto& slot : slots) {
    if (slot.state == SlotState::kPending || slot.state == SlotState::kFailed) ++unavailable;
    if (slot.state == SlotState::kFailed && budget.stopped_by.empty()) {
      const ObservedContainer& k = *slot.keeper->container;
      const std::string_view what = k.health == Health::kUnhealthy ? ToString(k.health) : ToString(k.state);
      budget.stopped_by = app + "[" + std::to_string(slot.index) + "] " + k.name + " is " + std::string(what);
    }
  }
  budget.replaceable = std::max(max_unavailable - unavailable, 0);
  return budget;
}

}  // namespace nebula::agent
