// --runtime=hollow (docs/architecture.md "Agent", like Kubernetes' kubemark hollow nodes): an in-memory container
// runtime behind the DockerClient interface, so many agents fit on one machine to measure the
// control plane's fan-out. Containers are records that "run" as soon as they are started; every
// pull succeeds at once. For benchmarks only: never evidence that a container feature works.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

class HollowDockerClient : public DockerClient {
 public:
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
  // Nothing ever drifts in memory: connects, then blocks until `stop` is set and notified
  // (std::atomic::notify_all), with no periodic wake-up.
  void WatchEvents(const std::map<std::string, std::string>& labels, const std::function<void()>& on_connected,
                   const std::function<void(const ContainerEvent&)>& on_event, const std::atomic<bool>& stop) override;

 private:
  struct Container {
    ObservedContainer observed;
    ContainerSpec spec;
  };
  Container& Get(const std::string& id);

  std::mutex mutex_;
  std::map<std::string, Container> containers_;
  std::set<std::string> names_;
  std::set<std::string> images_;
  uint64_t next_id_ = 0;
};

}  // namespace nebula::agent
