// WorkerStore on PostgreSQL: tables workers and worker_apps (migrations/0002_workers.sql).
#pragma once

#include "api-manager/pg/pg_pool.h"
#include "api-manager/store/worker_store.h"

namespace nebula::api_manager {

class PgWorkerStore final : public WorkerStore {
 public:
  // Build the pool with on_connect calling PgWorkerStore::PrepareStatements.
  explicit PgWorkerStore(PgPool& pool) : pool_(pool) {}

  static void PrepareStatements(pqxx::connection& conn);

  bool Fold(const FoldedReport& report) override;
  void Forget(const std::string& worker_id) override;
  std::optional<StoredWorker> Get(const std::string& id) override;
  WorkerPage List(const std::string& after_id, int limit) override;
  std::vector<HostStatusRow> HostsOf(const std::string& app) override;

 private:
  PgPool& pool_;
};

}  // namespace nebula::api_manager
