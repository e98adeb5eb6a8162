// DockerClient over the Engine API with libcurl: unix socket (CURLOPT_UNIX_SOCKET_PATH) or TCP,
// paths pinned to /v1.41 (dockerd 20.10's maximum). One easy handle per call, so any number of
// threads may call it at once.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>

#include "docker/docker_client.h"
#include "docker/registry_auth.h"

namespace nebula::agent {

class CurlDockerClient : public DockerClient {
 public:
  // docker_host: "unix:///var/run/docker.sock", a socket path, or "tcp://host:port".
  // Throws nebula::Error(kInvalidArgument) for anything else.
  // Pulls send the credentials of the image's registry (X-Registry-Auth), if there are any.
  explicit CurlDockerClient(const std::string& docker_host, RegistryCredentials credentials = {});

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
                   const std::function<void(const ContainerEvent&)>& on_event, const std::atomic<bool>& stop) override;

 private:
  struct Response {
    long status = 0;
    std::string body;
  };
  // Streams the body to on_data when given (then Response::body stays empty on success). A set
  // `stop` aborts the transfer within about a second (kUnavailable, "aborted"); on_headers runs
  // once all response headers arrived (a stream may send no body for a long time).
  Response Request(const std::string& method, const std::string& path, const std::string& body,
                   std::chrono::seconds timeout, const std::function<void(std::string_view)>& on_data = {},
                   const std::atomic<bool>* stop = nullptr, const std::function<void()>* on_headers = nullptr,
                   const std::vector<std::string>& extra_headers = {});
  // Creates a user network (bridge driver) unless dockerd has it; a concurrent creation is fine.
  void EnsureNetwork(const std::string& name);
  // Throws the nebula::Error matching the HTTP status, prefixed with `what`.
  [[noreturn]] void Fail(const std::string& what, const Response& response);

  std::mutex network_mutex_;  // one creation of a network at a time
  RegistryCredentials credentials_;
  std::string socket_path_;  // empty for TCP
  std::string base_url_;     // "http://localhost/v1.41"
  std::string host_;         // for messages
};

}  // namespace nebula::agent
