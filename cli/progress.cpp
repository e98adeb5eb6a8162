#include "progress.h"

#include <algorithm>

namespace nebula::cli {

RolloutState Evaluate(const v1::AppStatus& status, int64_t target_generation) {
  if (status.generation() < target_generation) return RolloutState::kWaiting;
  switch (status.rollout()) {
    case v1::AppStatus::CONVERGED: return RolloutState::kConverged;
    case v1::AppStatus::FAILED: return RolloutState::kFailed;
    default: return RolloutState::kWaiting;
  }
}

namespace {

std::string Counts(const v1::AppStatus& status) {
  return std::to_string(status.hosts_converged()) + "/" + std::to_string(status.hosts_desired()) +
         " hosts converged, " + std::to_string(status.hosts_failed()) + " failed";
}

}  // namespace

std::string ProgressBar(const v1::AppStatus& status, int width) {
  const int desired = status.hosts_desired();
  const int done = desired == 0 ? width : std::clamp(status.hosts_converged() * width / desired, 0, width);
  return "[" + std::string(static_cast<size_t>(done), '#') + std::string(static_cast<size_t>(width - done), '-') +
         "] " + Counts(status) + "  " + status.app() + " generation " + std::to_string(status.generation());
}

std::string ProgressLine(const v1::AppStatus& status) {
  return status.app() + " generation " + std::to_string(status.generation()) + ": " + Counts(status) + ", " +
         std::to_string(status.hosts_observed()) + " observed (" + v1::AppStatus::Rollout_Name(status.rollout()) + ")";
}

namespace {

// "  worker w1 (edge-1)": the hostname only where it says more than the id.
std::string HostLabel(const std::string& worker_id, const std::string& hostname) {
  std::string label = "  worker " + worker_id;
  if (!hostname.empty() && hostname != worker_id) label += " (" + hostname + ")";
  return label;
}

}  // namespace

std::string FailingHosts(const v1::AppStatus& status) {
  std::string out;
  for (const auto& host : status.failing_hosts()) {
    out += HostLabel(host.worker_id(), host.hostname()) + ":";
    for (int i = 0; i < host.errors_size(); ++i) out += (i ? "; " : " ") + host.errors(i);
    out += "\n";
  }
  return out;
}

std::string AheadHosts(const v1::AppStatus& status) {
  std::string out;
  for (const auto& host : status.ahead_hosts()) {
    out += HostLabel(host.worker_id(), host.hostname()) + ": runs generation " + std::to_string(host.generation()) + ", the API is at " +
           std::to_string(status.generation()) + "\n";
  }
  return out;
}

}  // namespace nebula::cli
