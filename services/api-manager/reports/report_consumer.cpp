#include "api-manager/reports/report_consumer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "common/error.h"

namespace nebula::api_manager {

ReportConsumer::ReportConsumer(ReportSource& source, WorkerStore& store, Clock clock)
    : source_(source), store_(store), clock_(std::move(clock)) {}

bool ReportConsumer::Apply(const std::vector<ReportRecord>& records) {
  try {
    for (const auto& record : records) {
      if (!record.value) {
        store_.Forget(record.key);
        spdlog::info("worker {} removed (tombstone on nebula.reports)", record.key);
        continue;
      }
      nebula::v1::WorkerReport report;
      if (!report.ParseFromString(*record.value)) {
        spdlog::warn("skipping an unreadable record on nebula.reports (key \"{}\")", record.key.substr(0, 200));
        continue;
      }
      auto problems = ReportProblems(report);
      if (!problems.empty()) {
        spdlog::warn("skipping a report on nebula.reports (key \"{}\"): {}", record.key.substr(0, 200), problems[0]);
        continue;
      }
      if (!store_.Fold(FoldReport(report, clock_())))
        spdlog::debug("report of worker {} is older than the stored one; ignored", report.worker_id());
    }
    return true;
  } catch (const std::exception& e) {
    spdlog::warn("folding worker reports failed: {} (retrying)", e.what());
    return false;
  }
}

void ReportConsumer::Run(std::stop_token stop) {
  std::chrono::milliseconds backoff(200);
  while (!stop.stop_requested()) {
    std::vector<ReportRecord> records = source_.Poll(std::chrono::milliseconds(500));
    if (records.empty()) continue;
    while (!Apply(records)) {
      // Fold is idempotent: re-applying the stored prefix of the batch is harmless.
      for (auto waited = std::chrono::milliseconds(0); waited < backoff; waited += std::chrono::milliseconds(100)) {
        if (stop.stop_requested()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    backoff = std::chrono::milliseconds(200);
    source_.Acknowledge();
  }
}

}  // namespace nebula::api_manager
