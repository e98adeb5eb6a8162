// ResourceStore on PostgreSQL: tables objects, group_members and audit_events (migrations/0003_resources.sql).
#pragma once

#include "api-manager/pg/pg_pool.h"
#include "api-manager/store/resource_store.h"

namespace nebula::api_manager {

class PgResourceStore final : public ResourceStore {
 public:
  // Build the pool with PgAppStore::PrepareStatements and PgResourceStore::PrepareStatements as its on_connect.
  explicit PgResourceStore(PgPool& pool) : pool_(pool) {}

  static void PrepareStatements(pqxx::connection& conn);

  StoredObject Create(ResourceKind kind, const std::string& name, const std::string& body,
                      const WriteInfo& info) override;
  StoredObject Get(ResourceKind kind, const std::string& name) override;
  ObjectPage List(ResourceKind kind, const std::string& after_name, int limit) override;
  StoredObject Update(ResourceKind kind, const std::string& name, int64_t expected_generation, const BodyChange& change,
                      const WriteInfo& info) override;
  StoredObject Upsert(ResourceKind kind, const std::string& name, const BodyChange& change,
                      const WriteInfo& info) override;
  int64_t Delete(ResourceKind kind, const std::string& name, int64_t expected_generation, bool force,
                 const WriteInfo& info) override;
  AuditPage ListAuditEvents(const AuditQuery& query) override;

 private:
  PgPool& pool_;
};

}  // namespace nebula::api_manager
