// Prometheus counters of the gateway (text exposition format 0.0.4 on GET /metrics).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nebula::gateway {

class GatewayMetrics {
 public:
  // `rpc` is the gRPC method's full name, or "" for requests no route matched.
  void RecordRequest(std::string_view rpc, int http_status, double seconds);
  std::string Render(std::int64_t open_connections) const;

 private:
  static constexpr double kBuckets[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  mutable std::mutex mutex_;
  // Transparent, so counting a request looks up by string_view (no allocation once a key exists).
  struct KeyLess {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      const int c = std::string_view(a.first).compare(std::string_view(b.first));
      return c < 0 || (c == 0 && a.second < b.second);
    }
  };
  std::map<std::pair<std::string, int>, std::uint64_t, KeyLess> requests_;
  std::vector<std::uint64_t> bucket_counts_ = std::vector<std::uint64_t>(std::size(kBuckets), 0);
  std::uint64_t duration_count_ = 0;
  double duration_sum_ = 0;
};

}  // namespace nebula::gateway
