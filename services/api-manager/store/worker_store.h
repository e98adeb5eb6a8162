// Where folded worker reports live (PostgreSQL in production, see pg_worker_store.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api-manager/rules/worker_status.h"

namespace nebula::api_manager {

struct StoredWorker {
  std::string report;  // serialized nebula.v1.WorkerReport
  Micros last_seen = 0;
};

struct WorkerPage {
  std::vector<StoredWorker> workers;  // ordered by id
  bool more = false;
};

// Errors are nebula::Error: kUnavailable (database unreachable), kInternal.
class WorkerStore {
 public:
  virtual ~WorkerStore() = default;

  // Replaces the worker's report and app rows in one transaction, unless the stored report is newer
  // (a replayed or reordered record must not move a worker back). Returns whether it was applied.
  virtual bool Fold(const FoldedReport& report) = 0;
  // A tombstone on nebula.reports: the worker is gone.
  virtual void Forget(const std::string& worker_id) = 0;
  virtual std::optional<StoredWorker> Get(const std::string& id) = 0;
  virtual WorkerPage List(const std::string& after_id, int limit) = 0;
  // Every host that lists or reports on the app, with its worker's hostname and last_seen.
  virtual std::vector<HostStatusRow> HostsOf(const std::string& app) = 0;
};

}  // namespace nebula::api_manager
