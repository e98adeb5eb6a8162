#include "worker-agent/core/reconcile_plan.h"

#include <algorithm>
#include <map>
#include <optional>

#include "worker-agent/core/app_slots.h"
#include "worker-agent/core/container_count.h"
#include "worker-agent/core/container_labels.h"

namespace nebula::agent {

namespace {

bool IsRemoving(const ManagedContainer& c) { return c.container->state == ContainerState::kRemoving; }

Action ContainerAction(ActionKind kind, const ManagedContainer& c, int32_t index, std::string reason) {
  Action a;
  a.kind = kind;
  a.app = c.identity.app;
  a.container_id = c.container->id;
  a.container_name = c.container->name;
  a.index = index;
  a.reason = std::move(reason);
  return a;
}

Action Remove(const ManagedContainer& c, std::string reason) {
  return ContainerAction(ActionKind::kRemoveContainer, c, c.identity.index.value_or(-1), std::move(reason));
}

Action Pull(const std::string& app, const std::string& image, std::string reason) {
  Action a;
  a.kind = ActionKind::kPullImage;
  a.app = app;
  a.image = image;
  a.reason = std::move(reason);
  return a;
}

std::string RemovalReason(const AppDesire& desire) {
  if (desire.kind == DesireKind::kAbsent) return desire.generation > 0 ? "app deleted" : "app has no desired state";
  return "app not running";
}

bool ShouldRun(const AppDesire& desire) {
  return desire.kind == DesireKind::kPresent && (!desire.spec.has_running() || desire.spec.running());
}

bool ShouldPull(const v1::AppSpec& spec, const std::set<std::string>& present_images) {
  // `always` re-pulls through the refresh (once per change); creating just needs the image.
  if (spec.pull_policy() == v1::PULL_POLICY_NEVER) return false;
  return present_images.count(spec.image()) == 0;
}

void AddStep(AppPlan& plan, std::vector<Action> step) {
  if (!step.empty()) plan.steps.push_back(std::move(step));
}

// Removes every container of the app that dockerd is not removing already.
std::vector<Action> RemoveAll(const std::vector<ManagedContainer>& mine, const std::string& reason) {
  std::vector<Action> removes;
  for (const auto& c : mine) {
    if (!IsRemoving(c)) removes.push_back(Remove(c, reason));
  }
  return removes;
}

// Groups the containers that belong in a slot by index; the others (no valid index, an index beyond
// the count) are removed.
std::map<int32_t, std::vector<const ManagedContainer*>> GroupBySlot(const std::vector<ManagedContainer>& mine,
                                                                    int32_t count, std::vector<Action>& removes) {
  std::map<int32_t, std::vector<const ManagedContainer*>> by_index;
  for (const auto& c : mine) {
    if (IsRemoving(c)) continue;
    if (!c.identity.index) {
      removes.push_back(Remove(c, "no valid index label"));
    } else if (*c.identity.index >= count) {
      removes.push_back(Remove(c, "index beyond desired count " + std::to_string(count)));
    } else {
      by_index[*c.identity.index].push_back(&c);
    }
  }
  return by_index;
}

// What the slots ask for, in the plan's step order.
struct SlotActions {
  std::vector<Action> changes;  // removes, starts, restarts
  std::vector<Action> creates;
  std::vector<Problem> problems;
  int64_t recheck_ms = 0;  // soonest a pending new container may be ready (rolling only)
};

std::string OtherRemovalReason(const Slot& slot, const ManagedContainer& c) {
  if (slot.keeper) return "duplicate of index " + std::to_string(slot.index);
  if (c.container->state == ContainerState::kDead) return "dead";
  return c.identity.config_hash == slot.spec.config_hash ? "image changed" : "config changed";
}

void EmitSlot(const std::string& app, Slot& slot, bool rolling, SlotActions& out) {
  for (const ManagedContainer* c : slot.others) out.changes.push_back(Remove(*c, OtherRemovalReason(slot, *c)));
  if (slot.keeper) {
    const ObservedContainer& k = *slot.keeper->container;
    if (NeedsStart(k, slot.spec)) {
      out.changes.push_back(ContainerAction(ActionKind::kStartContainer, *slot.keeper, slot.index,
                                            "container is " + std::string(ToString(k.state))));
    } else if (k.state == ContainerState::kRunning && k.health == Health::kUnhealthy) {
      out.changes.push_back(ContainerAction(ActionKind::kRestartContainer, *slot.keeper, slot.index, "unhealthy"));
    }
    if (rolling && slot.state == SlotState::kPending) {
      const int64_t wait = slot.ready_in_ms > 0 ? slot.ready_in_ms : 500;
      out.recheck_ms = out.recheck_ms == 0 ? wait : std::min(out.recheck_ms, wait);
    }
  } else if (!slot.spec_problems.empty()) {
    for (auto& text : slot.spec_problems) out.problems.push_back({ProblemKind::kUnrunnableSpec, std::move(text)});
  } else {
    Action a;
    a.kind = ActionKind::kCreateContainer;
    a.app = app;
    a.index = slot.index;
    a.reason = slot.others.empty()                        ? "missing"
               : slot.state == SlotState::kOld && rolling ? "rolling update"
                                                          : "config changed";
    a.spec = std::move(slot.spec);
    out.creates.push_back(std::move(a));
  }
}

// Every slot's actions, except old slots whose turn in a rolling update has not come.
SlotActions EmitSlots(const std::string& app, std::vector<Slot>& slots, RollingBudget& budget) {
  SlotActions out;
  for (auto& slot : slots) {
    if (slot.state == SlotState::kOld && !budget.TakeTurn(slot)) continue;
    EmitSlot(app, slot, budget.rolling, out);
  }
  return out;
}

// A pull refresh the app still needs (pull policy `always` at a new generation, or a new pull_nonce).
std::optional<Action> PullRefresh(const std::string& app, const v1::AppSpec& spec, const std::string& pull_key,
                                  const PlanInput& input) {
  if (pull_key.empty()) return std::nullopt;
  auto done = input.pulled.find(app);
  if (done != input.pulled.end() && done->second == pull_key) return std::nullopt;
  return Pull(app, spec.image(),
              spec.pull_policy() == v1::PULL_POLICY_ALWAYS ? "pull policy always"
                                                           : "pull nonce " + std::to_string(spec.pull_nonce()));
}

AppPlan PlanListedApp(const std::string& app, const AppDesire& desire, const std::vector<ManagedContainer>& mine,
                      const PlanInput& input) {
  AppPlan plan;
  plan.app = app;
  plan.desire = desire.kind;
  plan.generation = desire.generation;
  if (desire.kind == DesireKind::kUnknown) return plan;
  plan.settling = std::any_of(mine.begin(), mine.end(), IsRemoving);
  if (!ShouldRun(desire)) {
    AddStep(plan, RemoveAll(mine, RemovalReason(desire)));
    return plan;
  }

  const v1::AppSpec& spec = desire.spec;
  const ContainerCount count = CountContainers(spec.containers_per(), input.host);
  plan.desired_containers = count.count;
  if (count.capped()) {
    plan.problems.push_back({ProblemKind::kTooManyContainers, "wants " + std::to_string(count.requested) +
                                                                  " containers on this host; capped at " +
                                                                  std::to_string(count.count)});
  }

  // Pull refresh first, on its own: nothing is replaced before the new image is here.
  const std::string pull_key = PullKey(spec, desire.generation);
  if (auto refresh = PullRefresh(app, spec, pull_key, input)) {
    plan.steps.push_back({std::move(*refresh)});
    plan.pull_key = pull_key;
    return plan;
  }

  SlotRules rules{app, &spec, desire.generation, input.settings, "", input.now};
  // For apps that pull, the tag's current image is part of what a container must match.
  if (!pull_key.empty()) {
    auto it = input.image_ids.find(spec.image());
    if (it != input.image_ids.end()) rules.current_image_id = it->second;
  }
  std::vector<Action> beyond_slots;
  const auto by_index = GroupBySlot(mine, count.count, beyond_slots);
  std::vector<Slot> slots = ClassifySlots(rules, count.count, by_index);
  RollingBudget budget = RollingBudgetFor(app, spec.update_strategy(), slots);
  SlotActions actions = EmitSlots(app, slots, budget);

  plan.problems.insert(plan.problems.end(), actions.problems.begin(), actions.problems.end());
  const bool old_left =
      std::any_of(slots.begin(), slots.end(), [](const Slot& s) { return s.state == SlotState::kOld; });
  if (!budget.stopped_by.empty() && old_left) {
    plan.problems.push_back({ProblemKind::kRollingUpdateStopped, "rolling update stopped: " + budget.stopped_by});
  }
  // Only a roll with old containers left waits for readiness; new containers alone need nothing.
  if (budget.waiting) plan.recheck_ms = actions.recheck_ms == 0 ? 500 : actions.recheck_ms;

  std::vector<Action> pulls;
  if (!actions.creates.empty() && ShouldPull(spec, input.present_images)) {
    pulls.push_back(Pull(app, spec.image(), "image not present"));
  }
  beyond_slots.insert(beyond_slots.end(), actions.changes.begin(), actions.changes.end());
  AddStep(plan, std::move(pulls));
  AddStep(plan, std::move(beyond_slots));
  AddStep(plan, std::move(actions.creates));
  return plan;
}

// The containers of an app no longer in the list go, whatever their state.
AppPlan PlanLeftoverApp(const std::string& app, const std::vector<ManagedContainer>& containers) {
  AppPlan plan;
  plan.app = app;
  plan.listed = false;
  plan.desire = DesireKind::kAbsent;
  plan.settling = std::any_of(containers.begin(), containers.end(), IsRemoving);
  AddStep(plan, RemoveAll(containers, "app not in this agent's list"));
  return plan;
}

}  // namespace

std::string Describe(const Action& a) {
  const std::string target = a.index >= 0 ? a.app + "[" + std::to_string(a.index) + "]" : a.app;
  const std::string named = a.container_name.empty() ? target : target + " " + a.container_name;
  switch (a.kind) {
    case ActionKind::kPullImage: return "pull " + a.image + " for " + a.app + " (" + a.reason + ")";
    case ActionKind::kRemoveContainer: return "remove " + named + " (" + a.reason + ")";
    case ActionKind::kStartContainer: return "start " + named + " (" + a.reason + ")";
    case ActionKind::kCreateContainer: return "create " + target + " (" + a.reason + ")";
    case ActionKind::kRestartContainer: return "restart " + named + " (" + a.reason + ")";
  }
  return "?";
}

std::string PullKey(const v1::AppSpec& spec, int64_t generation) {
  if (spec.pull_policy() == v1::PULL_POLICY_NEVER) return "";
  if (spec.pull_policy() == v1::PULL_POLICY_ALWAYS) {
    return "g" + std::to_string(generation) + "/n" + std::to_string(spec.pull_nonce());
  }
  return spec.pull_nonce() == 0 ? "" : "n" + std::to_string(spec.pull_nonce());
}

std::vector<AppPlan> PlanReconcile(const PlanInput& input) {
  std::map<std::string, std::vector<ManagedContainer>> by_app;
  for (const auto& c : input.containers) {
    ContainerIdentity identity = ReadIdentity(c);
    if (!identity.managed || identity.worker != input.settings.worker_id) continue;
    if (c.labels.count(std::string(kLabelCron))) continue;  // cron-job runs are the CronRunner's
    by_app[identity.app].push_back({&c, std::move(identity)});
  }

  std::vector<AppPlan> plans;
  static const std::vector<ManagedContainer> kNone;
  std::set<std::string> seen;
  for (const auto& [app, desire] : input.apps) {
    if (!seen.insert(app).second) continue;  // a repeated name must not double the containers
    auto it = by_app.find(app);
    plans.push_back(PlanListedApp(app, desire, it == by_app.end() ? kNone : it->second, input));
    if (it != by_app.end()) by_app.erase(it);
  }

  for (const auto& [app, containers] : by_app) plans.push_back(PlanLeftoverApp(app, containers));
  return plans;
}

}  // namespace nebula::agent
