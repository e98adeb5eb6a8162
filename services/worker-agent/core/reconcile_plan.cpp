#include "core/reconcile_plan.h"

#include <algorithm>
#include <map>

#include "core/container_count.h"

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
  switch (spec.pull_policy()) {
    case v1::PULL_POLICY_NEVER: return false;
    case v1::PULL_POLICY_ALWAYS: return true;
    default: return present_images.count(spec.image()) == 0;
  }
}

void AddStep(AppPlan& plan, std::vector<Action> step) {
  if (!step.empty()) plan.steps.push_back(std::move(step));
}

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

  const ContainerCount count = CountContainers(desire.spec.containers_per(), input.host);
  plan.desired_containers = count.count;
  if (count.capped()) {
    plan.problems.push_back("wants " + std::to_string(count.requested) + " containers on this host; capped at " +
                            std::to_string(count.count));
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

  for (int32_t i = 0; i < count.count; ++i) {
    ContainerSpec spec = BuildContainerSpec(app, desire.spec, desire.generation, i, input.settings);
    auto problems = SpecProblems(spec);
    const auto& candidates = by_index[i];

    const Ours* keeper = nullptr;
    for (const Ours* c : candidates) {
      if (c->identity.config_hash != spec.config_hash || c->container->state == "dead") continue;
      if (!keeper || BetterKeeper(*c, *keeper)) keeper = c;
    }
    for (const Ours* c : candidates) {
      if (c == keeper) continue;
      std::string reason = keeper ? "duplicate of index " + std::to_string(i)
                           : c->container->state == "dead" ? "dead"
                                                            : "config changed";
      changes.push_back(Remove(*c, std::move(reason)));
    }

    if (keeper) {
      if (NeedsStart(*keeper->container, spec)) {
        Action a;
        a.kind = ActionKind::kStartContainer;
        a.app = app;
        a.container_id = keeper->container->id;
        a.container_name = keeper->container->name;
        a.index = i;
        a.reason = "container is " + keeper->container->state;
        changes.push_back(std::move(a));
      }
    } else if (!problems.empty()) {
      plan.problems.insert(plan.problems.end(), problems.begin(), problems.end());
    } else {
      Action a;
      a.kind = ActionKind::kCreateContainer;
      a.app = app;
      a.index = i;
      a.reason = candidates.empty() ? "missing" : "config changed";
      a.spec = std::move(spec);
      creates.push_back(std::move(a));
    }
  }

  if (!creates.empty() && ShouldPull(desire.spec, input.present_images)) {
    Action a;
    a.kind = ActionKind::kPullImage;
    a.app = app;
    a.image = desire.spec.image();
    a.reason = desire.spec.pull_policy() == v1::PULL_POLICY_ALWAYS ? "pull policy always" : "image not present";
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
  }
  return "?";
}

std::vector<AppPlan> PlanReconcile(const PlanInput& input) {
  std::map<std::string, std::vector<Ours>> by_app;
  for (const auto& c : input.containers) {
    ContainerIdentity identity = ReadIdentity(c);
    if (!identity.managed || identity.worker != input.settings.worker_id) continue;
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
