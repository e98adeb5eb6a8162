// The in-memory container runtime behind the DockerClient interface: the agent's --runtime=hollow
// (docs/architecture.md "Agent", like Kubernetes' kubemark hollow nodes: many agents fit on one machine to measure
// the control plane's fan-out) and the dockerd of the unit tests. Containers are records that "run" as soon as
// they are started; a pull succeeds at once. Where the agent looks it answers as dockerd does (the DockerClient
// contract suite runs against both): labels, states, name conflicts, dockerd's error codes and messages.
// Benchmarks never see evidence that a container feature works here.
//
// The failure switches and the test access below are off / unused in hollow mode.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

struct HollowOptions {
  std::string version = "hollow";  // what Version() reports
  // Creation times of new containers (unix seconds); empty = the system clock.
  std::function<int64_t()> unix_now;
};

class HollowDockerClient : public DockerClient {
 public:
  explicit HollowDockerClient(HollowOptions options = {});

  DockerVersion Version() override;
  std::vector<ObservedContainer> ListContainers(const std::map<std::string, std::string>& labels) override;
  ContainerDetails InspectContainer(const std::string& id) override;
  std::string CreateContainer(const ContainerSpec& spec, const std::string& name) override;
  void StartContainer(const std::string& id) override;
  void StopContainer(const std::string& id, std::chrono::seconds timeout) override;
  void RestartContainer(const std::string& id, std::chrono::seconds timeout) override;
  void RemoveContainer(const std::string& id) override;
  std::optional<ImageInfo> InspectImage(const std::string& reference) override;
  void PullImage(const std::string& reference) override;
  int PruneImages() override;
  // Delivers what Emit() sends after the stream connected (to every watcher: labels are not
  // filtered). Blocks without a periodic wake-up until `stop` is requested, so idle hollow agents
  // cost nothing; SetUnavailable(true) breaks the stream, as a dockerd restart does.
  void WatchEvents(const std::map<std::string, std::string>& labels, const std::function<void()>& on_connected,
                   const std::function<void(const ContainerEvent&)>& on_event, std::stop_token stop) override;

  // Failure switches. An empty message turns the failure off.
  // Every call fails with kUnavailable, and event streams break (dockerd stopped).
  void SetUnavailable(bool unavailable);
  // kFailedPrecondition "pull <ref>: <message>", for every reference or only for `reference` (an
  // image the registry does not have).
  void FailPulls(std::string message, const std::string& reference = "");
  void FailCreates(std::string message);  // kInternal "create container <name>: <message>"
  void FailStarts(std::string message);   // kInternal "start container <id>: <message>"
  void Emit(ContainerEvent event);

  // Images: one dockerd already has, and what a pull of `reference` gets from the registry (the
  // local tag then moves to `id`). Image IDs are "sha256:<reference>" unless given.
  void AddImage(const std::string& reference, std::string id = "");
  void SetRegistryImage(const std::string& reference, std::string id);
  bool HasImage(const std::string& reference);

  // Test access: a container as dockerd would list it (adoption), all containers, a created spec.
  void Put(ObservedContainer container);
  std::vector<ObservedContainer> All();
  ContainerSpec SpecOf(const std::string& id);

  // Calls so far: creates, removes and restarts that succeeded, pulls and prunes tried.
  std::atomic<int> creates{0}, removes{0}, pulls{0}, restarts{0}, prunes{0};

 private:
  struct Container {
    ObservedContainer observed;
    ContainerSpec spec;
  };
  // Callers hold mutex_.
  void ThrowIfUnavailable() const;
  Container& Get(const std::string& id);
  std::string ImageIdOf(const std::string& reference) const;

  const HollowOptions options_;
  std::mutex mutex_;
  std::condition_variable_any stream_changed_;  // an event, a break, or stop requested
  std::map<std::string, Container> containers_;
  std::map<std::string, std::string> images_;           // reference → image ID
  std::map<std::string, std::string> registry_images_;  // reference → image ID a pull gets
  std::vector<ContainerEvent> events_;
  bool unavailable_ = false;
  std::map<std::string, std::string> pull_errors_;  // reference ("" = every one) → message
  std::string create_error_, start_error_;
  uint64_t next_id_ = 0;
};

}  // namespace nebula::agent
