// AppStore on PostgreSQL: tables apps, app_revisions, audit_events and outbox (migrations/).
#pragma once

#include "api-manager/store/app_store.h"
#include "api-manager/pg/pg_pool.h"

namespace pqxx {
class row;
}

namespace nebula::api_manager {

// Columns: generation, spec, create_us, update_us (also read by the app cache's feed).
nebula::v1::App AppFromPgRow(const std::string& name, const pqxx::row& row);

class PgAppStore final : public AppStore {
 public:
  // Prepares its statements on every connection of the pool: build the pool with
  // PgAppStore::PrepareStatements as its on_connect.
  explicit PgAppStore(PgPool& pool) : pool_(pool) {}

  static void PrepareStatements(pqxx::connection& conn);

  nebula::v1::App Create(const std::string& name, const nebula::v1::AppSpec& spec, const WriteInfo& info) override;
  nebula::v1::App Get(const std::string& name) override;
  AppPage List(const std::string& after_name, int limit) override;
  nebula::v1::App Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                         const WriteInfo& info) override;
  int64_t Delete(const std::string& name, int64_t expected_generation, bool force, const WriteInfo& info) override;
  RevisionPage ListRevisions(const std::string& name, int64_t before, int limit) override;
  std::optional<Revision> GetRevision(const std::string& name, int64_t generation) override;

 private:
  PgPool& pool_;
};

}  // namespace nebula::api_manager
