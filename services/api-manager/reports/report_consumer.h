// Folds nebula.reports into the WorkerStore (docs/architecture.md "One schema"). The records come from a ReportSource
// (Kafka in production, kafka_report_source.h); a record is acknowledged only after it was stored, so a database outage
// delays folding but loses nothing. Folding is idempotent and refuses older reports, so records delivered twice (after
// a rebalance or restart) do no harm.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include "api-manager/store/worker_store.h"

namespace nebula::api_manager {

struct ReportRecord {
  std::string key;                   // the worker id
  std::optional<std::string> value;  // serialized nebula.v1.WorkerReport; nullopt = tombstone
};

class ReportSource {
 public:
  virtual ~ReportSource() = default;
  // Up to a batch of records, waiting at most timeout. Never throws for broker outages.
  virtual std::vector<ReportRecord> Poll(std::chrono::milliseconds timeout) = 0;
  // Everything returned by Poll so far is stored.
  virtual void Acknowledge() = 0;
};

class ReportConsumer {
 public:
  using Clock = std::function<Micros()>;

  ReportConsumer(ReportSource& source, WorkerStore& store, Clock clock);

  // Until stop is requested.
  void Run(std::stop_token stop);
  // One batch; false if the store failed (the batch is not acknowledged and is retried by Run).
  // Records that cannot be parsed are logged and skipped: retrying cannot fix them.
  bool Apply(const std::vector<ReportRecord>& records);

 private:
  ReportSource& source_;
  WorkerStore& store_;
  Clock clock_;
};

}  // namespace nebula::api_manager
