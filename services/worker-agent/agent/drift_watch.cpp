#include "worker-agent/agent/drift_watch.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>

#include "common/error.h"

namespace nebula::agent {

bool IsDriftEvent(std::string_view action) {
  // Health changes too: an unhealthy container is restarted, and a healthy one may let a
  // health-gated rolling update go on.
  static constexpr std::array<std::string_view, 7> kDrift{
      "die", "destroy", "stop", "kill", "oom", "health_status: unhealthy", "health_status: healthy"};
  return std::find(kDrift.begin(), kDrift.end(), action) != kDrift.end();
}

DriftWatch::DriftWatch(DockerClient& docker, std::map<std::string, std::string> labels, OnDrift on_drift,
                       OnConnected on_connected, DriftWatchOptions options)
    : docker_(docker),
      labels_(std::move(labels)),
      on_drift_(std::move(on_drift)),
      on_connected_(std::move(on_connected)),
      options_(options) {}

DriftWatch::~DriftWatch() { Stop(); }

void DriftWatch::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void DriftWatch::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();  // ends WatchEvents and the backoff wait alike
  thread_.join();
}

void DriftWatch::Loop(std::stop_token stop) {
  auto backoff = options_.min_backoff;
  bool first = true;
  while (!stop.stop_requested()) {
    bool connected = false;
    try {
      docker_.WatchEvents(
          labels_,
          [&] {
            connected = true;
            backoff = options_.min_backoff;
            // Whatever happened before the stream was up was not seen: look once.
            if (!first) spdlog::info("dockerd event stream is back: reconciling what may have been missed");
            first = false;
            if (on_connected_) on_connected_();
          },
          [&](const ContainerEvent& event) {
            if (!IsDriftEvent(event.action)) return;
            const auto name = event.labels.find("name");
            spdlog::info("dockerd: container {} ({}) {}: reconciling", event.id.substr(0, 12),
                         name == event.labels.end() ? "?" : name->second, event.action);
            on_drift_(event);
          },
          stop);
    } catch (const std::exception& e) {
      if (stop.stop_requested()) return;
      if (connected) {
        spdlog::warn("dockerd event stream broke: {}", e.what());
      } else {
        spdlog::debug("dockerd event stream: {}; retrying in {} ms", e.what(), backoff.count());
      }
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, stop, backoff, [] { return false; });
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace nebula::agent
