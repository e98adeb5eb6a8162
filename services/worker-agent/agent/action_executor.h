// Carries out the steps of AppPlans against dockerd. Each app runs its steps in order, apps run
// side by side, and the actions inside a step run in parallel, with at most `parallelism` Docker
// calls in flight. An app whose step fails stops there until the next pass (non-rolling: an image
// that cannot be pulled never costs a running container).
#pragma once

#include <stop_token>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "worker-agent/core/reconcile_plan.h"
#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

struct ExecutorOptions {
  std::chrono::seconds stop_timeout{10};
  int parallelism = 8;
};

struct AppOutcome {
  int actions_done = 0;
  std::vector<std::string> errors;  // one per failed action
};

class ActionExecutor {
 public:
  ActionExecutor(DockerClient& docker, ExecutorOptions options) : docker_(docker), options_(options) {}

  // Outcome per app name. Stops starting new steps once `stop` is requested.
  std::map<std::string, AppOutcome> Execute(const std::vector<AppPlan>& plans, std::stop_token stop);

 private:
  // Throws nebula::Error on failure.
  void Run(const Action& action);
  void Remove(const Action& action);
  void Create(const Action& action);

  DockerClient& docker_;
  ExecutorOptions options_;
};

// "<app>-<index>-<5 random [a-z0-9]>": unique at any count, and never parsed (labels are the identity).
std::string NewContainerName(const std::string& app, int32_t index);

}  // namespace nebula::agent
