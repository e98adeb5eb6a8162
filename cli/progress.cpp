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

// Observed before converged: a host first sees the generation, then converges on it (or fails).
std::string Counts(const v1::AppStatus& status) {
  return std::to_string(status.hosts_observed()) + " observed, " + std::to_string(status.hosts_converged()) + "/" +
         std::to_string(status.hosts_desired()) + " converged, " + std::to_string(status.hosts_failed()) + " failed";
}

}  // namespace

std::string ProgressBar(const v1::AppStatus& status, int width) {
  const int desired = status.hosts_desired();
  const int done = desired == 0 ? width : std::clamp(status.hosts_converged() * width / desired, 0, width);
  return "[" + std::string(static_cast<size_t>(done), '#') + std::string(static_cast<size_t>(width - done), '-') +
         "] " + Counts(status) + "  " + status.app() + " generation " + std::to_string(status.generation());
}

std::string ProgressLine(const v1::AppStatus& status) {
  return status.app() + " generation " + std::to_string(status.generation()) + ": " + Counts(status) + " (" +
         v1::AppStatus::Rollout_Name(status.rollout()) + ")";
}

std::string FailingHosts(const v1::AppStatus& status) {
  std::string out;
  for (const auto& host : status.failing_hosts()) {
    out += "  worker " + host.worker_id();
    if (!host.hostname().empty() && host.hostname() != host.worker_id()) out += " (" + host.hostname() + ")";
    out += ":";
    for (int i = 0; i < host.errors_size(); ++i) out += (i ? "; " : " ") + host.errors(i);
    out += "\n";
  }
  return out;
}

}  // namespace nebula::cli
