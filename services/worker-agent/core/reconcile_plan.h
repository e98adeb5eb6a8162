// plan(desired apps, actual containers, host facts) → actions: the pure heart of the agent
// (docs/architecture.md "Agent"). It never does I/O; the Reconciler lists containers, calls PlanReconcile and hands the
// steps to the executor.
//
// Rules, per app of the agent's list:
//  - index i in [0, count) keeps one container whose config hash matches (started if it is stopped);
//    any other container at i is removed and a new one created — remove first, as the new one binds
//    the same host ports;
//  - containers at indexes ≥ count, without a valid index, and duplicates are removed;
//  - running=false or a deleted app → all its containers are removed;
//  - an app whose desired state is still unknown (initial read not caught up) is left alone.
// Containers of this worker whose app is not in the list are removed. Containers of other workers
// and unlabelled ones are never touched (they are not even considered).
//
// Steps run in order and the actions inside a step are independent. Non-rolling: pull, then
// remove/start, then create — so an image that cannot be pulled costs no running container.
//
// Pull refresh: an app with pull policy `always` (at every new generation) or a pull_nonce it has
// not pulled for yet gets a plan that only pulls (`pull_key` says for what; the caller remembers it
// in PlanInput::pulled once the pull succeeded). For such apps a container whose image ID is not the
// tag's current ID counts as changed, so exactly the containers whose image changed are replaced.
//
// Rolling update (update_strategy.rolling): at most max_unavailable (0 → 1) of the app's slots
// are unavailable at once. A slot is unavailable while its container is old and not running, or new
// and not yet ready: running (and healthy, when health_gated and the image has a HEALTHCHECK) for
// min_ready_seconds. Each pass replaces (remove old, create new) only as many old slots as the
// budget allows, lowest index first, and says when to look again (`recheck_ms`). A new container
// that exited or is unhealthy stops the roll: no further old container is replaced and the
// problem is reported. Missing slots (scale up) are created and surplus ones removed at any time.
// Unhealthy containers (HEALTHCHECK) are restarted, in any mode.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "worker-agent/core/container_spec.h"
#include "worker-agent/core/desired_view.h"
#include "worker-agent/core/host_facts.h"
#include "worker-agent/core/observed_container.h"
#include "worker-agent/core/problem.h"

namespace nebula::agent {

enum class ActionKind { kPullImage, kRemoveContainer, kStartContainer, kCreateContainer, kRestartContainer };

struct Action {
  ActionKind kind = ActionKind::kPullImage;
  std::string app;
  std::string image;           // kPullImage
  std::string container_id;    // kRemoveContainer, kStartContainer
  std::string container_name;  // for logs
  int32_t index = -1;          // the container's index, when it has one
  ContainerSpec spec;          // kCreateContainer
  std::string reason;          // why, for logs and reports
};

// One line for the log, e.g. "create web[2] (config changed)".
std::string Describe(const Action& action);

struct AppPlan {
  std::string app;
  bool listed = true;  // in the agent's app list (false: leftovers of an app this worker ran)
  DesireKind desire = DesireKind::kUnknown;
  int64_t generation = 0;  // the desired generation
  int32_t desired_containers = 0;
  // Steps in order; a failed step stops the app's plan until the next pass.
  std::vector<std::vector<Action>> steps;
  // What keeps the app from converging that no action can fix (e.g. a host port above 65535).
  std::vector<Problem> problems;
  // dockerd is still removing one of the app's containers: nothing to do but look again.
  bool settling = false;
  // Non-empty: this plan is a pull refresh for this key (see PullKey); remember it once it succeeded.
  std::string pull_key;
  // A rolling update waits for new containers to become ready: look again after this long.
  int64_t recheck_ms = 0;

  bool converged() const {
    return desire != DesireKind::kUnknown && steps.empty() && problems.empty() && !settling && recheck_ms == 0;
  }
};

struct PlanInput {
  std::vector<std::pair<std::string, AppDesire>> apps;  // the agent's app list, in order
  std::vector<ObservedContainer> containers;            // as listed by dockerd
  std::set<std::string> present_images;                 // references dockerd already has
  std::map<std::string, std::string> image_ids;         // reference → dockerd's current image ID
  std::map<std::string, std::string> pulled;            // app → pull key whose refresh pull is done
  int64_t now = 0;                                      // unix seconds (readiness of rolling updates)
  HostFacts host;
  AgentSettings settings;
};

// What a pull refresh is for: "" (no refresh), "n<nonce>" for a pull_nonce, and for policy always
// also the generation ("g<gen>/n<nonce>"), so every change re-pulls.
std::string PullKey(const v1::AppSpec& spec, int64_t generation);

// One AppPlan per listed app (in list order), then one per leftover app (by name).
std::vector<AppPlan> PlanReconcile(const PlanInput& input);

}  // namespace nebula::agent
