#include "gateway/server/gateway_metrics.h"

#include <sstream>

namespace nebula::gateway {

void GatewayMetrics::RecordRequest(std::string_view rpc, int http_status, double seconds) {
  std::lock_guard lock(mutex_);
  const std::pair<std::string_view, int> key{rpc, http_status};
  auto it = requests_.find(key);
  if (it == requests_.end())
    it = requests_.emplace(std::pair<std::string, int>{std::string(rpc), http_status}, 0).first;
  ++it->second;
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    if (seconds <= kBuckets[i]) ++bucket_counts_[i];
  }
  ++duration_count_;
  duration_sum_ += seconds;
}

std::string GatewayMetrics::Render(std::int64_t open_connections) const {
  std::lock_guard lock(mutex_);
  std::ostringstream out;
  out << "# HELP nebula_gateway_requests_total HTTP requests answered, by gRPC method and HTTP status.\n"
      << "# TYPE nebula_gateway_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out << "nebula_gateway_requests_total{rpc=\"" << key.first << "\",code=\"" << key.second << "\"} " << count << "\n";
  }
  out << "# HELP nebula_gateway_request_duration_seconds Time from a complete request to its answer.\n"
      << "# TYPE nebula_gateway_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < std::size(kBuckets); ++i) {
    out << "nebula_gateway_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << bucket_counts_[i] << "\n";
  }
  out << "nebula_gateway_request_duration_seconds_bucket{le=\"+Inf\"} " << duration_count_ << "\n"
      << "nebula_gateway_request_duration_seconds_sum " << duration_sum_ << "\n"
      << "nebula_gateway_request_duration_seconds_count " << duration_count_ << "\n"
      << "# HELP nebula_gateway_open_connections HTTP connections open now.\n"
      << "# TYPE nebula_gateway_open_connections gauge\n"
      << "nebula_gateway_open_connections " << open_connections << "\n";
  return out.str();
}

}  // namespace nebula::gateway
