// The api-manager's Prometheus metrics (docs/architecture.md "Operations"): counted in memory by the gRPC interceptor
// and the relay/report decorators, rendered in the Prometheus text format by a pure function.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nebula::api_manager {

// Upper bounds (seconds) of the latency histogram's buckets; +Inf is implied.
inline constexpr std::array<double, 12> kLatencyBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                           0.1,   0.25,   0.5,   1,    2.5,   10};

struct LatencyHistogram {
  std::array<uint64_t, kLatencyBuckets.size() + 1> counts{};  // per bucket, last = above every bound
  double sum = 0;
  uint64_t count = 0;
};

struct MetricsSnapshot {
  std::map<std::pair<std::string, std::string>, uint64_t> requests;  // (method, code name) → calls
  std::map<std::string, LatencyHistogram> latency;                   // method → histogram
  std::optional<int64_t> outbox_backlog;                             // rows not yet relayed; nullopt = the probe failed
  bool relay_active = false;                                         // this replica holds the relay lock
  uint64_t reports_consumed = 0;                                     // worker reports stored
};

// "OK", "INVALID_ARGUMENT", ... for a gRPC status code number ("UNKNOWN" if out of range).
std::string_view GrpcCodeName(int code);

class MetricsRegistry {
 public:
  void RecordRpc(const std::string& method, int code, double seconds);
  void SetRelayActive(bool active);
  void AddReportsConsumed(uint64_t count);
  // The counters so far; outbox_backlog is left for the caller (it is read at scrape time).
  MetricsSnapshot Snapshot() const;

 private:
  mutable std::mutex mutex_;
  MetricsSnapshot metrics_;
};

// Prometheus text exposition format 0.0.4.
std::string RenderPrometheus(const MetricsSnapshot& metrics);

}  // namespace nebula::api_manager
