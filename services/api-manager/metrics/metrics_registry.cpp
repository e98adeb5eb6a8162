#include "api-manager/metrics/metrics_registry.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstdio>

namespace nebula::api_manager {
namespace {

std::string EscapeLabel(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

// Shortest text that reads back as the same double ("0.005", "1", "2.5").
std::string Number(double value) {
  if (value == std::floor(value) && std::fabs(value) < 1e15) return std::to_string(int64_t(value));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  for (int precision = 1; precision <= 17; ++precision) {
    char shorter[32];
    std::snprintf(shorter, sizeof shorter, "%.*g", precision, value);
    if (std::strtod(shorter, nullptr) == value) return shorter;
  }
  return buffer;
}

}  // namespace

std::string_view GrpcCodeName(int code) {
  static constexpr std::array<std::string_view, 17> kNames = {
      "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
      "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
      "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
      "DATA_LOSS", "UNAUTHENTICATED"};
  if (code < 0 || code >= int(kNames.size())) return "UNKNOWN";
  return kNames[size_t(code)];
}

void MetricsRegistry::RecordRpc(const std::string& method, int code, double seconds) {
  std::lock_guard lock(mutex_);
  ++metrics_.requests[{method, std::string(GrpcCodeName(code))}];
  LatencyHistogram& histogram = metrics_.latency[method];
  auto bucket = std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds);  // le: bound >= value
  ++histogram.counts[size_t(bucket - kLatencyBuckets.begin())];
  histogram.sum += seconds;
  ++histogram.count;
}

void MetricsRegistry::SetRelayActive(bool active) {
  std::lock_guard lock(mutex_);
  metrics_.relay_active = active;
}

void MetricsRegistry::AddReportsConsumed(uint64_t count) {
  std::lock_guard lock(mutex_);
  metrics_.reports_consumed += count;
}

MetricsSnapshot MetricsRegistry::Snapshot() const {
  std::lock_guard lock(mutex_);
  return metrics_;
}

std::string RenderPrometheus(const MetricsSnapshot& metrics) {
  std::string out;
  out += "# HELP nebula_api_manager_grpc_requests_total gRPC calls handled, by method and status code.\n";
  out += "# TYPE nebula_api_manager_grpc_requests_total counter\n";
  for (const auto& [key, count] : metrics.requests)
    out += "nebula_api_manager_grpc_requests_total{method=\"" + EscapeLabel(key.first) + "\",code=\"" +
           EscapeLabel(key.second) + "\"} " + std::to_string(count) + "\n";

  out += "# HELP nebula_api_manager_grpc_request_duration_seconds Time from the call's start to its status.\n";
  out += "# TYPE nebula_api_manager_grpc_request_duration_seconds histogram\n";
  for (const auto& [method, histogram] : metrics.latency) {
    const std::string label = "method=\"" + EscapeLabel(method) + "\"";
    uint64_t cumulative = 0;
    for (size_t i = 0; i < kLatencyBuckets.size(); ++i) {
      cumulative += histogram.counts[i];
      out += "nebula_api_manager_grpc_request_duration_seconds_bucket{" + label + ",le=\"" +
             Number(kLatencyBuckets[i]) + "\"} " + std::to_string(cumulative) + "\n";
    }
    out += "nebula_api_manager_grpc_request_duration_seconds_bucket{" + label + ",le=\"+Inf\"} " +
           std::to_string(histogram.count) + "\n";
    out += "nebula_api_manager_grpc_request_duration_seconds_sum{" + label + "} " + Number(histogram.sum) + "\n";
    out += "nebula_api_manager_grpc_request_duration_seconds_count{" + label + "} " + std::to_string(histogram.count) +
           "\n";
  }

  if (metrics.outbox_backlog) {
    out += "# HELP nebula_api_manager_outbox_backlog Outbox rows not yet relayed to nebula.desired.\n";
    out += "# TYPE nebula_api_manager_outbox_backlog gauge\n";
    out += "nebula_api_manager_outbox_backlog " + std::to_string(*metrics.outbox_backlog) + "\n";
  }
  out += "# HELP nebula_api_manager_relay_active 1 if this replica is the active outbox relay.\n";
  out += "# TYPE nebula_api_manager_relay_active gauge\n";
  out += std::string("nebula_api_manager_relay_active ") + (metrics.relay_active ? "1" : "0") + "\n";
  out += "# HELP nebula_api_manager_reports_consumed_total Worker reports from nebula.reports stored.\n";
  out += "# TYPE nebula_api_manager_reports_consumed_total counter\n";
  out += "nebula_api_manager_reports_consumed_total " + std::to_string(metrics.reports_consumed) + "\n";
  return out;
}

}  // namespace nebula::api_manager
