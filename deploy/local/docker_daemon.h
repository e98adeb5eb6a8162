// The dockerd the stack uses: DOCKER_HOST (or --docker-host), else the system one, else a private dockerd
// with everything under the state dir.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child_process.h"
#include "preflight.h"
#include "stack_plan.h"

namespace nebula::devstack {

struct DockerConnection {
  std::string host;                               // what DOCKER_HOST should say
  std::unique_ptr<ChildProcess> private_daemon;  // set only when we started dockerd ourselves
};

DockerConnection ConnectDocker(const UpOptions& options, const StackPaths& paths);

// GET /_ping answers 200.
bool DockerAnswers(const std::string& host);

// `docker <args>` against host (the CLI also honours DOCKER_HOST).
ProcessSpec DockerCli(const Toolbox& tools, const std::string& host, std::vector<std::string> args);

// Removes the containers our agents made (managed-by=nebula and a worker id of this stack), nothing else.
void RemoveStackContainers(const Toolbox& tools, const std::string& host, int agents, const StackPaths& paths);

}  // namespace nebula::devstack
