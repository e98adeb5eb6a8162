// DockerClient over dockerd's Engine API (engine_http.h: HTTP/1.1 with Boost.Beast on the unix
// socket or TCP), paths pinned to /v1.41 (dockerd 20.10's maximum). One connection per call, so any
// number of threads may call it at once.
#pragma once

#include <mutex>
#include <string>

#include "worker-agent/docker/docker_client.h"
#include "worker-agent/docker/engine_http.h"
#include "worker-agent/docker/registry_auth.h"

namespace nebula::agent {

class EngineApiClient : public DockerClient {
 public:
  // docker_host: "unix:///var/run/docker.sock", a socket path, or "tcp://host:port".
  // Throws nebula::Error(kInvalidArgument) for anything else.
  // Pulls send the credentials of the image's registry (X-Registry-Auth), if there are any.
  explicit EngineApiClient(const std::string& docker_host, RegistryCredentials credentials = {});

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
  void WatchEvents(const std::map<std::string, std::string>& labels, const std::function<void()>& on_connected,
                   const std::function<void(const ContainerEvent&)>& on_event, std::stop_token stop) override;

 private:
  EngineResponse Call(const std::string& method, const std::string& path, std::chrono::seconds timeout,
                      std::string body = {});
  // Creates a user network (bridge driver) unless dockerd has it; a concurrent creation is fine.
  void EnsureNetwork(const std::string& name);
  // Throws the nebula::Error matching the HTTP status, prefixed with `what`.
  [[noreturn]] static void Fail(const std::string& what, const EngineResponse& response);

  std::mutex network_mutex_;  // one creation of a network at a time
  RegistryCredentials credentials_;
  EngineEndpoint endpoint_;
};

}  // namespace nebula::agent
