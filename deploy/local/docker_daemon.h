// The dockerd the stack uses: DOCKER_HOST (or --docker-host), else the system one, else (or always with
// --private-docker) a private dockerd with everything under the state dir and a bridge of its own.
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
  std::string host;                              // what DOCKER_HOST should say
  std::unique_ptr<ChildProcess> private_daemon;  // set only when we started dockerd ourselves
};

DockerConnection ConnectDocker(const UpOptions& options, const StackPaths& paths);

// Starts a dockerd of our own on docker_dir (data root, exec root, pid file, docker.sock, daemon.json,
// bridge.cidr) and waits until it answers. Its bridge (PrivateBridgeName) is created first, or reused
// when it is still there; a dockerd started on the same dir again finds the same data and bridge. On
// failure nothing it started is left running. Needs root.
std::unique_ptr<ChildProcess> StartPrivateDockerd(const std::filesystem::path& docker_dir,
                                                  const std::filesystem::path& log_file, bool live_restore = false);

// Deletes the bridge of a private dockerd on docker_dir (a no-op when it is gone). Call it once that
// dockerd stopped; the next StartPrivateDockerd makes a new one.
void RemovePrivateBridge(const std::filesystem::path& docker_dir, const std::filesystem::path& log_file);

// GET /_ping answers 200.
bool DockerAnswers(const std::string& host);

// `docker <args>` against host (the CLI also honours DOCKER_HOST).
ProcessSpec DockerCli(const Toolbox& tools, const std::string& host, std::vector<std::string> args);

// Removes the containers our agents made (managed-by=nebula and a worker id of this stack), nothing else.
void RemoveStackContainers(const Toolbox& tools, const std::string& host, int agents, const StackPaths& paths);

}  // namespace nebula::devstack
