#include "worker-agent/core/reconcile_plan.h"

#include <algorithm>
#include <limits>
#include <map>

#include "worker-agent/core/container_count.h"
#include "worker-agent/core/container_labels.h"

namespace nebula::agent {

namespace {

struct Ours {
  const ObservedContainer* container;
  ContainerIdentity identity;
};

bool IsRemoving(const Ours& c) { return c.container->state == "removing"; }

// Which of several matching containers at one index to keep: the one that is up, then the oldest.
int StateRank(const std::string& state) {
  if (state == "running") return 0;
  if (state == "restarting") return 1;
  if (state == "paused") return 2;
  return 3;  // created, exited
}

bool BetterKeeper(const Ours& a, const Ours& b) {
  const int ra = StateRank(a.container->state), rb = StateRank(b.container->state);
  if (ra != rb) return ra < rb;
  if (a.container->created != b.container->created) return a.container->created < b.container->created;
  return a.container->id < b.container->id;
}

// A stopped keeper is started again unless its restart policy says an exit is final.
bool NeedsStart(const ObservedContainer& c, const ContainerSpec& spec) {
  if (c.state == "created") return true;
  if (c.state == "exited") return spec.restart_policy == "unless-stopped" || spec.restart_policy == "always";
  return false;
}

Action Remove(const Ours& c, std::string reason) {
  Action a;
  a.kind = ActionKind::kRemoveContainer;
  a.app = c.identity.app;
  a.container_id = c.container->id;
  a.container_name = c.container->name;
  a.index = c.identity.index.value_or(-1);
  a.reason = std::move(reason);
  return a;
}

std::string RemovalReason(const AppDesire& desire) {
  if (desire.kind == DesireKind::kAbsent) return desire.generation > 0 ? "app deleted" : "app has no desired state";
  return "app not running";
}

bool ShouldPull(const v1::AppSpec& spec, const std::set<std::string>& present_images) {
  // `always` re-pulls through the refresh (once per change); creating just needs the image.
  if (spec.pull_policy() == v1::PULL_POLICY_NEVER) return false;
  return present_images.count(spec.image()) == 0;
}

void AddStep(AppPlan& plan, std::vector<Action> step) {
  if (!step.empty()) plan.steps.push_back(std::move(step));
}

Action ContainerAction(ActionKind kind, const Ours& c, int32_t index, std::string reason) {
  Action a;
  a.kind = kind;
  a.app = c.identity.app;
  a.container_id = c.container->id;
  a.container_name = c.container->name;
  a.index = index;
  a.reason = std::move(reason);
  return a;
}

// What one slot (index < count) looks like for a rolling update.
enum class SlotState {
  kReady,    // a current container, running (healthy) for min_ready_seconds
  kPending,  // a current container, not ready yet
  kFailed,   // a current container that exited, died or is unhealthy
  kOld,      // only an outdated container: to be replaced
  kMissing,  // nothing
};

struct Slot {
  int32_t index = 0;
  ContainerSpec spec;
  std::vector<std::string> problems;
  const Ours* keeper = nullptr;
  std::vector<const Ours*> others;  // to remove (outdated, duplicates, dead)
  SlotState state = SlotState::kMissing;
  bool old_running = false;   // kOld: the outdated container still serves
  int64_t ready_in_ms = 0;    // kPending: how long until min_ready_seconds passed (0: unknown)
};

AppPlan PlanListedApp(const std::string& app, const AppDesire& desire, const std::vector<Ours>& mine,
                      const PlanInput& input) {
  AppPlan plan;
  plan.app = app;
  plan.desire = desire.kind;
  plan.generation = desire.generation;
  if (desire.kind == DesireKind::kUnknown) return plan;

  std::vector<Action> pulls, changes, creates;
  for (const auto& c : mine) plan.settling = plan.settling || IsRemoving(c);

  const bool run = desire.kind == DesireKind::kPresent && (!desire.spec.has_running() || desire.spec.running());
  if (!run) {
    for (const auto& c : mine) {
      if (!IsRemoving(c)) changes.push_back(Remove(c, RemovalReason(desire)));
    }
    AddStep(plan, std::move(changes));
    return plan;
  }

  const v1::AppSpec& spec = desire.spec;
  const ContainerCount count = CountContainers(spec.containers_per(), input.host);
  plan.desired_containers = count.count;
  if (count.capped()) {
    plan.problems.push_back("wants " + std::to_string(count.requested) + " containers on this host; capped at " +
                            std::to_string(count.count));
  }

  // Pull refresh first, on its own: nothing is replaced before the new image is here.
  const std::string pull_key = PullKey(spec, desire.generation);
  if (!pull_key.empty()) {
    auto done = input.pulled.find(app);
    if (done == input.pulled.end() || done->second != pull_key) {
      Action a;
      a.kind = ActionKind::kPullImage;
      a.app = app;
      a.image = spec.image();
      a.reason = spec.pull_policy() == v1::PULL_POLICY_ALWAYS ? "pull policy always"
                                                              : "pull nonce " + std::to_string(spec.pull_nonce());
      plan.steps.push_back({std::move(a)});
      plan.pull_key = pull_key;
      return plan;
    }
  }
  // For apps that pull, the tag's current image is part of what a container must match.
  std::string current_image_id;
  if (!pull_key.empty()) {
    auto it = input.image_ids.find(spec.image());
    if (it != input.image_ids.end()) current_image_id = it->second;
  }

  std::map<int32_t, std::vector<const Ours*>> by_index;
  for (const auto& c : mine) {
    if (IsRemoving(c)) continue;
    if (!c.identity.index) {
      changes.push_back(Remove(c, "no valid index label"));
    } else if (*c.identity.index >= count.count) {
      changes.push_back(Remove(c, "index beyond desired count " + std::to_string(count.count)));
    } else {
      by_index[*c.identity.index].push_back(&c);
    }
  }

  const auto& strategy = spec.update_strategy();
  const int64_t min_ready_ms = int64_t{strategy.min_ready_seconds()} * 1000;
  std::vector<Slot> slots;
  for (int32_t i = 0; i < count.count; ++i) {
    Slot slot;
    slot.index = i;
    slot.spec = BuildContainerSpec(app, spec, desire.generation, i, input.settings);
    slot.problems = SpecProblems(slot.spec);
    const auto& candidates = by_index[i];
    auto current = [&](const Ours* c) {
      return c->identity.config_hash == slot.spec.config_hash && c->container->state != "dead" &&
             (current_image_id.empty() || c->container->image_id.empty() || c->container->image_id == current_image_id);
    };
    for (const Ours* c : candidates) {
      if (current(c) && (!slot.keeper || BetterKeeper(*c, *slot.keeper))) slot.keeper = c;
    }
    for (const Ours* c : candidates) {
      if (c == slot.keeper) continue;
      slot.others.push_back(c);
      slot.old_running = slot.old_running || c->container->state == "running";
    }
    if (slot.keeper) {
      const ObservedContainer& k = *slot.keeper->container;
      const bool health_ok = !strategy.health_gated() || k.health.empty() || k.health == "healthy";
      const int64_t age_ms = (input.now - k.created) * 1000;
      if (k.health == "unhealthy" || (k.state == "exited" && !NeedsStart(k, slot.spec))) {
        slot.state = SlotState::kFailed;
      } else if (k.state == "exited" || k.state == "created" || k.state == "restarting") {
        slot.state = k.state == "created" ? SlotState::kPending : SlotState::kFailed;
      } else if (k.state == "running" && health_ok && age_ms >= min_ready_ms) {
        slot.state = SlotState::kReady;
      } else {
        slot.state = SlotState::kPending;
        slot.ready_in_ms = k.state == "running" && health_ok ? std::max<int64_t>(min_ready_ms - age_ms, 0) : 0;
      }
    } else {
      slot.state = slot.others.empty() ? SlotState::kMissing : SlotState::kOld;
    }
    slots.push_back(std::move(slot));
  }

  const bool rolling = strategy.rolling();
  int32_t budget = std::numeric_limits<int32_t>::max();
  std::string stopped_by;
  if (rolling) {
    const int32_t max_unavailable = strategy.max_unavailable() == 0
                                        ? 1
                                        : static_cast<int32_t>(std::min<uint32_t>(strategy.max_unavailable(), 1u << 30));
    // Old containers that are down anyway cost nothing to replace; the others take the budget
    // left by new containers that are not ready yet.
    int32_t unavailable = 0;
    for (const auto& slot : slots) {
      if (slot.state == SlotState::kPending || slot.state == SlotState::kFailed) ++unavailable;
      if (slot.state == SlotState::kFailed && stopped_by.empty()) {
        const ObservedContainer& k = *slot.keeper->container;
        stopped_by = app + "[" + std::to_string(slot.index) + "] " + k.name + " is " +
                     (k.health == "unhealthy" ? std::string("unhealthy") : k.state);
      }
    }
    budget = std::max(max_unavailable - unavailable, 0);
  }

  int64_t recheck_ms = 0;
  bool waiting = false;
  for (auto& slot : slots) {
    const int32_t i = slot.index;
    if (slot.state == SlotState::kOld && rolling) {
      const bool free = !slot.old_running && stopped_by.empty();
      if (!free && (budget <= 0 || !stopped_by.empty())) {
        waiting = stopped_by.empty();
        continue;  // its turn comes in a later batch (or never, once the roll stopped)
      }
      if (!free) --budget;
    }
    for (const Ours* c : slot.others) {
      std::string reason = slot.keeper ? "duplicate of index " + std::to_string(i)
                           : c->container->state == "dead" ? "dead"
                           : c->identity.config_hash == slot.spec.config_hash ? "image changed"
                                                                            : "config changed";
      changes.push_back(Remove(*c, std::move(reason)));
    }
    if (slot.keeper) {
      const ObservedContainer& k = *slot.keeper->container;
      if (NeedsStart(k, slot.spec)) {
        changes.push_back(ContainerAction(ActionKind::kStartContainer, *slot.keeper, i, "container is " + k.state));
      } else if (k.state == "running" && k.health == "unhealthy") {
        changes.push_back(ContainerAction(ActionKind::kRestartContainer, *slot.keeper, i, "unhealthy"));
      }
      if (rolling && slot.state == SlotState::kPending) {
        const int64_t wait = slot.ready_in_ms > 0 ? slot.ready_in_ms : 500;
        recheck_ms = recheck_ms == 0 ? wait : std::min(recheck_ms, wait);
      }
    } else if (!slot.problems.empty()) {
      plan.problems.insert(plan.problems.end(), slot.problems.begin(), slot.problems.end());
    } else {
      Action a;
      a.kind = ActionKind::kCreateContainer;
      a.app = app;
      a.index = i;
      a.reason = slot.others.empty() ? "missing" : slot.state == SlotState::kOld && rolling ? "rolling update" : "config changed";
      a.spec = std::move(slot.spec);
      creates.push_back(std::move(a));
    }
  }
  if (!stopped_by.empty()) {
    bool old_left = false;
    for (const auto& slot : slots) old_left = old_left || slot.state == SlotState::kOld;
    if (old_left) plan.problems.push_back("rolling update stopped: " + stopped_by);
  }
  // Only a roll with old containers left waits for readiness; new containers alone need nothing.
  if (waiting) plan.recheck_ms = recheck_ms == 0 ? 500 : recheck_ms;

  if (!creates.empty() && ShouldPull(spec, input.present_images)) {
    Action a;
    a.kind = ActionKind::kPullImage;
    a.app = app;
    a.image = spec.image();
    a.reason = "image not present";
    pulls.push_back(std::move(a));
  }
  AddStep(plan, std::move(pulls));
  AddStep(plan, std::move(changes));
  AddStep(plan, std::move(creates));
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
  std::map<std::string, std::vector<Ours>> by_app;
  for (const auto& c : input.containers) {
    ContainerIdentity identity = ReadIdentity(c);
    if (!identity.managed || identity.worker != input.settings.worker_id) continue;
    if (c.labels.count(std::string(kLabelCron))) continue;  // cron-job runs are the CronRunner's
    by_app[identity.app].push_back({&c, std::move(identity)});
  }

  std::vector<AppPlan> plans;
  static const std::vector<Ours> kNone;
  std::set<std::string> seen;
  for (const auto& [app, desire] : input.apps) {
    if (!seen.insert(app).second) continue;  // a repeated name must not double the containers
    auto it = by_app.find(app);
    plans.push_back(PlanListedApp(app, desire, it == by_app.end() ? kNone : it->second, input));
    if (it != by_app.end()) by_app.erase(it);
  }

  for (const auto& [app, containers] : by_app) {  // leftovers of apps no longer in the list
    AppPlan plan;
    plan.app = app;
    plan.listed = false;
    plan.desire = DesireKind::kAbsent;
    std::vector<Action> removes;
    for (const auto& c : containers) {
      if (IsRemoving(c)) {
        plan.settling = true;
      } else {
        removes.push_back(Remove(c, "app not in this agent's list"));
      }
    }
    AddStep(plan, std::move(removes));
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace nebula::agent
