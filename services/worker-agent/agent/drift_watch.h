// Drift repair (docs/architecture.md "Agent"): follows dockerd's event stream for this worker's containers and asks
// for a reconcile pass as soon as one of them dies, stops, is removed by someone else or changes
// health (healthy / unhealthy). On its
// own thread and connection; when dockerd goes away (restart) it reconnects with backoff. Every time
// the stream is (re)established it asks for a pass too, since events before that were not seen. The reconciler
// coalesces the requests, and its per-app backoff keeps a crash loop from becoming a hot loop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>

#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

// The container events that can mean a managed container is no longer running as planned.
bool IsDriftEvent(std::string_view action);

struct DriftWatchOptions {
  std::chrono::milliseconds min_backoff{std::chrono::milliseconds(250)};
  // A refused connect to a local socket every 2 s costs nothing, and it bounds how long the agent takes to
  // notice that dockerd is back (the reconcile after reconnecting repairs what changed meanwhile).
  std::chrono::milliseconds max_backoff{std::chrono::seconds(2)};
};

class DriftWatch {
 public:
  using OnDrift = std::function<void(const ContainerEvent&)>;
  using OnConnected = std::function<void()>;

  DriftWatch(DockerClient& docker, std::map<std::string, std::string> labels, OnDrift on_drift,
             OnConnected on_connected, DriftWatchOptions options = {});
  ~DriftWatch();

  void Start();
  void Stop();

 private:
  void Loop(std::stop_token stop);

  DockerClient& docker_;
  std::map<std::string, std::string> labels_;
  OnDrift on_drift_;
  OnConnected on_connected_;
  DriftWatchOptions options_;

  std::mutex mutex_;
  std::condition_variable_any wake_;  // the reconnect backoff; a stop request ends it
  std::jthread thread_;
};

}  // namespace nebula::agent
