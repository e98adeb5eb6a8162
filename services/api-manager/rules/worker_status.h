// Workers and rollout status from the reports agents publish to nebula.reports (docs/architecture.md "One schema").
// Pure: the store keeps rows, these functions decide what the rows mean. A worker's state is computed at read time from
// last_seen, so nothing has to run to mark silent workers LOST.
#pragma once

#include <chrono>
#include <functional>
#include <cstdint>
#include <string>
#include <vector>

#include "nebula/v1/worker.pb.h"
#include "nebula/v1/worker_report.pb.h"

namespace nebula::api_manager {

using Micros = int64_t;  // microseconds since the Unix epoch

// One (worker, app) pair: what GetAppStatus counts without reading whole reports.
struct HostAppRow {
  std::string worker_id;
  std::string app;
  int64_t observed_generation = 0;
  int64_t converged_generation = 0;
  std::vector<std::string> errors;
};

// What a report becomes in the store.
struct FoldedReport {
  std::string worker_id;
  std::string hostname;
  Micros last_seen = 0;
  std::string report;            // the report, serialized deterministically
  std::vector<HostAppRow> apps;  // one per app the worker lists (or reports on), by app name
};

// A host's row joined with its worker, as GetAppStatus reads it.
struct HostStatusRow {
  HostAppRow app;
  std::string hostname;
  Micros last_seen = 0;
};

// Empty = acceptable. A report without worker_id cannot be stored.
std::vector<std::string> ReportProblems(const nebula::v1::WorkerReport& report);

// last_seen is the report's time, clamped to received (an agent clock ahead must not keep a worker
// ONLINE), or received when the report has no time. Apps listed without an AppReport get a row at
// generation 0; AppReports of apps not listed still count (the agent still runs them).
FoldedReport FoldReport(const nebula::v1::WorkerReport& report, Micros received);

nebula::v1::Worker::State WorkerState(Micros last_seen, Micros now, std::chrono::seconds lost_after);

// Throws nebula::Error(kInternal) if report is not a WorkerReport.
nebula::v1::Worker WorkerFromStored(const std::string& report, Micros last_seen, Micros now,
                                    std::chrono::seconds lost_after);

// desired = hosts listing the app that are not LOST; ahead = those reporting a generation above
// `generation` (one this API never issued: a database restore, a forged record); observed/converged =
// the others at `generation`; failed = those with errors that observed the generation (and have not
// converged on it). failing_hosts and ahead_hosts ordered by worker id. A host ahead keeps the rollout
// from being CONVERGED: it is not running what the API says.
nebula::v1::AppStatus ComputeAppStatus(const std::string& app, int64_t generation,
                                       const std::vector<HostStatusRow>& hosts, Micros now,
                                       std::chrono::seconds lost_after);

// Apps the worker reports on (AppReports) for which known(app) is false, sorted: what it runs that the
// API has no live app of.
std::vector<std::string> UnknownApps(const nebula::v1::Worker& worker,
                                     const std::function<bool(const std::string&)>& known);

// The rollout is over: WatchAppStatus ends after sending this status.
inline bool RolloutFinished(const nebula::v1::AppStatus& status) {
  return status.rollout() == nebula::v1::AppStatus::CONVERGED || status.rollout() == nebula::v1::AppStatus::FAILED;
}

}  // namespace nebula::api_manager
