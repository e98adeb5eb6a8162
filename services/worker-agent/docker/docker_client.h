// The narrow interface the agent needs from a container runtime (docs/architecture.md "Agent"). The real one talks to
// dockerd's Engine API (EngineApiClient); the unit tests and hollow mode use the in-memory HollowDockerClient.
// tests/services/worker-agent/docker/docker_client_contract.h holds both to the same contract.
// Every method throws nebula::Error on failure, with dockerd's own message (e.g. "port is already
// allocated"): kNotFound for 404, kAlreadyExists for a name conflict, kUnavailable when dockerd
// cannot be reached.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "worker-agent/core/container_spec.h"
#include "worker-agent/core/observed_container.h"

namespace nebula::agent {

struct DockerVersion {
  std::string version;
  std::string api_version;
};

struct ImageInfo {
  std::string id;
  std::vector<std::string> repo_tags;
};

// What inspect adds to the listing; enough to check that a spec arrived as intended.
struct ContainerDetails {
  ObservedContainer container;
  std::vector<std::string> env;
  std::vector<PortBinding> ports;    // HostConfig.PortBindings
  std::vector<std::string> binds;    // HostConfig.Binds ("src:dst[:ro]")
  std::vector<DeviceMount> devices;  // HostConfig.Devices
  struct Mount {
    std::string type;  // "bind", "volume"
    std::string name;  // named volume
    std::string source;
    std::string destination;
    bool rw = true;
  };
  std::vector<Mount> mounts;  // Mounts (what dockerd made of the binds)
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string network_mode;
  std::vector<std::string> networks;  // NetworkSettings.Networks
  bool privileged = false;
  std::string restart_policy;
  int64_t nano_cpus = 0;
  int64_t memory_bytes = 0;
  std::string health_test;  // Config.Healthcheck.Test joined by ' ', empty without one
  int exit_code = 0;
  std::string error;  // State.Error
};

// One line of GET /events about a container ("die", "destroy", "start", …).
struct ContainerEvent {
  std::string action;
  std::string id;
  std::map<std::string, std::string> labels;  // the container's labels (Actor.Attributes)
};

class DockerClient {
 public:
  virtual ~DockerClient() = default;

  virtual DockerVersion Version() = 0;
  // All containers (running or not) carrying every label=value given.
  virtual std::vector<ObservedContainer> ListContainers(const std::map<std::string, std::string>& labels) = 0;
  virtual ContainerDetails InspectContainer(const std::string& id) = 0;
  // Creates (and connects extra networks), does not start. Returns the container id.
  virtual std::string CreateContainer(const ContainerSpec& spec, const std::string& name) = 0;
  virtual void StartContainer(const std::string& id) = 0;
  // SIGTERM, then SIGKILL after `timeout`. Stopping a stopped container succeeds.
  virtual void StopContainer(const std::string& id, std::chrono::seconds timeout) = 0;
  // Stop (SIGTERM, SIGKILL after `timeout`) and start again; the container keeps its id.
  virtual void RestartContainer(const std::string& id, std::chrono::seconds timeout) = 0;
  // Forced, with anonymous volumes.
  virtual void RemoveContainer(const std::string& id) = 0;
  // nullopt when dockerd does not have the image.
  virtual std::optional<ImageInfo> InspectImage(const std::string& reference) = 0;
  virtual void PullImage(const std::string& reference) = 0;
  // Removes every image no container uses (docker image prune -a). Returns how many were deleted.
  virtual int PruneImages() = 0;
  // Streams container events of containers carrying every label=value given, calling on_event for
  // each, until `stop` is requested (returns) or the connection ends or breaks (throws kUnavailable).
  // on_connected runs once dockerd answered, so a caller can resync what it missed meanwhile.
  virtual void WatchEvents(const std::map<std::string, std::string>& labels, const std::function<void()>& on_connected,
                           const std::function<void(const ContainerEvent&)>& on_event, std::stop_token stop) = 0;
};

}  // namespace nebula::agent
