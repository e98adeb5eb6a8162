#include "api-manager/rules/worker_status.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <map>

#include "api-manager/rules/desired_records.h"
#include "common/error.h"

namespace nebula::api_manager {

using google::protobuf::util::TimeUtil;
using nebula::v1::AppStatus;
using nebula::v1::Worker;
using nebula::v1::WorkerReport;

std::vector<std::string> ReportProblems(const WorkerReport& report) {
  std::vector<std::string> problems;
  if (report.worker_id().empty()) problems.push_back("worker_id is empty");
  return problems;
}

FoldedReport FoldReport(const WorkerReport& report, Micros received) {
  FoldedReport folded;
  folded.worker_id = report.worker_id();
  folded.hostname = report.hostname();
  folded.last_seen = received;
  if (report.has_report_time())
    folded.last_seen = std::min(received, TimeUtil::TimestampToMicroseconds(report.report_time()));
  folded.report = SerializeDeterministic(report);

  std::map<std::string, HostAppRow> rows;
  for (const auto& app : report.apps()) rows[app] = HostAppRow{.worker_id = report.worker_id(), .app = app};
  for (const auto& r : report.app_reports()) {
    HostAppRow& row = rows[r.app()];
    row.worker_id = report.worker_id();
    row.app = r.app();
    // A duplicate AppReport: the most advanced one wins, errors accumulate.
    row.observed_generation = std::max(row.observed_generation, r.observed_generation());
    row.converged_generation = std::max(row.converged_generation, r.converged_generation());
    row.errors.insert(row.errors.end(), r.errors().begin(), r.errors().end());
  }
  for (auto& [name, row] : rows) {
    if (!name.empty()) folded.apps.push_back(std::move(row));
  }
  return folded;
}

Worker::State WorkerState(Micros last_seen, Micros now, std::chrono::seconds lost_after) {
  const Micros silent = now - last_seen;
  return silent > std::chrono::duration_cast<std::chrono::microseconds>(lost_after).count() ? Worker::LOST
                                                                                            : Worker::ONLINE;
}

Worker WorkerFromStored(const std::string& report, Micros last_seen, Micros now, std::chrono::seconds lost_after) {
  WorkerReport parsed;
  if (!parsed.ParseFromString(report)) throw Error(ErrorCode::kInternal, "a stored worker report is unreadable");
  Worker worker;
  worker.set_id(parsed.worker_id());
  worker.set_hostname(parsed.hostname());
  *worker.mutable_apps() = parsed.apps();
  worker.set_device_group(parsed.device_group());
  *worker.mutable_app_reports() = parsed.app_reports();
  if (parsed.has_host()) *worker.mutable_host() = parsed.host();
  *worker.mutable_last_seen() = TimeUtil::MicrosecondsToTimestamp(last_seen);
  worker.set_state(WorkerState(last_seen, now, lost_after));
  worker.set_agent_version(parsed.agent_version());
  worker.set_synced(parsed.synced());
  *worker.mutable_rejected_records() = parsed.rejected_records();
  return worker;
}

namespace {

bool ByWorkerId(const HostStatusRow* a, const HostStatusRow* b) { return a->app.worker_id < b->app.worker_id; }

// A host that reports a generation of the app this API never issued: newer than the current one.
bool Ahead(const HostAppRow& row, int64_t generation) {
  return row.observed_generation > generation || row.converged_generation > generation;
}

}  // namespace

AppStatus ComputeAppStatus(const std::string& app, int64_t generation, const std::vector<HostStatusRow>& hosts,
                           Micros now, std::chrono::seconds lost_after) {
  AppStatus status;
  status.set_app(app);
  status.set_generation(generation);
  std::vector<const HostStatusRow*> failing, ahead;
  for (const auto& host : hosts) {
    if (host.app.app != app || WorkerState(host.last_seen, now, lost_after) == Worker::LOST) continue;
    status.set_hosts_desired(status.hosts_desired() + 1);
    if (Ahead(host.app, generation)) {
      ahead.push_back(&host);
      continue;
    }
    const bool observed = host.app.observed_generation == generation;
    const bool converged = host.app.converged_generation == generation;
    if (observed) status.set_hosts_observed(status.hosts_observed() + 1);
    if (converged) status.set_hosts_converged(status.hosts_converged() + 1);
    if (observed && !converged && !host.app.errors.empty()) failing.push_back(&host);
  }
  std::sort(failing.begin(), failing.end(), ByWorkerId);
  for (const HostStatusRow* host : failing) {
    auto* out = status.add_failing_hosts();
    out->set_worker_id(host->app.worker_id);
    out->set_hostname(host->hostname);
    for (const auto& e : host->app.errors) out->add_errors(e);
  }
  std::sort(ahead.begin(), ahead.end(), ByWorkerId);
  for (const HostStatusRow* host : ahead) {
    auto* out = status.add_ahead_hosts();
    out->set_worker_id(host->app.worker_id);
    out->set_hostname(host->hostname);
    out->set_generation(std::max(host->app.observed_generation, host->app.converged_generation));
  }
  status.set_hosts_failed(static_cast<int32_t>(failing.size()));
  status.set_hosts_ahead(static_cast<int32_t>(ahead.size()));
  if (status.hosts_failed() > 0) {
    status.set_rollout(AppStatus::FAILED);
  } else if (status.hosts_converged() == status.hosts_desired()) {
    status.set_rollout(AppStatus::CONVERGED);
  } else {
    status.set_rollout(AppStatus::PROGRESSING);
  }
  return status;
}

std::vector<std::string> UnknownApps(const nebula::v1::Worker& worker,
                                     const std::function<bool(const std::string&)>& known) {
  std::vector<std::string> unknown;
  for (const auto& report : worker.app_reports()) {
    if (report.app().empty() || known(report.app())) continue;
    if (std::find(unknown.begin(), unknown.end(), report.app()) == unknown.end()) unknown.push_back(report.app());
  }
  std::sort(unknown.begin(), unknown.end());
  return unknown;
}

}  // namespace nebula::api_manager
