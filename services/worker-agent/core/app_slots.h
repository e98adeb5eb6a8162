// The slots of one app as the reconcile plan sees them (docs/architecture.md "Agent"): slot i (0-based, below the
// desired count) is where container i belongs. ClassifySlots decides which container keeps each slot, which
// others go and how ready the slot is; RollingBudget decides how many old slots a rolling update may replace in
// this pass. Pure; PlanReconcile (reconcile_plan.cpp) turns the result into actions.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "worker-agent/core/container_spec.h"
#include "worker-agent/core/host_facts.h"
#include "worker-agent/core/observed_container.h"

namespace nebula::agent {

// One of this worker's containers of the app being planned, with its labels read.
struct ManagedContainer {
  const ObservedContainer* container;
  ContainerIdentity identity;
};

// What one slot looks like (what a rolling update counts).
enum class SlotState {
  kReady,    // a current container, running (healthy) for min_ready_seconds
  kPending,  // a current container, not ready yet
  kFailed,   // a current container that exited, died or is unhealthy
  kOld,      // only an outdated container: to be replaced
  kMissing,  // nothing
};

struct Slot {
  int32_t index = 0;
  ContainerSpec spec;                           // what container `index` must be
  std::vector<std::string> spec_problems;       // non-empty: dockerd would refuse `spec`
  const ManagedContainer* keeper = nullptr;     // the current container that stays, if any
  std::vector<const ManagedContainer*> others;  // to remove (outdated, duplicates, dead)
  SlotState state = SlotState::kMissing;
  bool old_running = false;  // kOld: the outdated container still serves
  int64_t ready_in_ms = 0;   // kPending: how long until min_ready_seconds passed (0: unknown)
};

// What a slot's containers are measured against.
struct SlotRules {
  std::string app;
  const v1::AppSpec* spec = nullptr;
  int64_t generation = 0;
  AgentSettings settings;
  // Apps that pull: the tag's current image ID, which a kept container must run ("" = not checked).
  std::string current_image_id;
  int64_t now = 0;  // unix seconds (readiness)
};

// Slots 0..count-1 from the app's containers grouped by index (indexes ≥ count are not looked at).
std::vector<Slot> ClassifySlots(const SlotRules& rules, int32_t count,
                                const std::map<int32_t, std::vector<const ManagedContainer*>>& by_index);

// A stopped keeper is started again unless its restart policy says an exit is final.
bool NeedsStart(const ObservedContainer& container, const ContainerSpec& spec);

// How many old slots this pass may replace. Without a rolling update, all of them.
struct RollingBudget {
  bool rolling = false;
  int32_t replaceable = std::numeric_limits<int32_t>::max();  // old slots whose container still serves
  // Non-empty: a new container failed ("web[0] web-0-x is exited"), so no further old slot is replaced.
  std::string stopped_by;
  // An old slot had to wait for its turn (the pass must look again once new containers are ready).
  bool waiting = false;

  // Takes the budget for replacing `slot` (kOld) now; false: its turn comes in a later batch, or
  // never once the roll stopped.
  bool TakeTurn(const Slot& slot);
};

// max_unavailable (0 → 1) less the slots already unavailable (pending or failed new containers).
RollingBudget RollingBudgetFor(const std::string& app, const v1::UpdateStrategy& strategy,
                               const std::vector<Slot>& slots);

}  // namespace nebula::agent
