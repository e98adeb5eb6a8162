#include "api-manager/pg/migrations.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "common/error.h"
#include "api-manager/rules/migration_plan.h"
#include "api-manager/pg/pg_names.h"
#include "api-manager/pg/pg_pool.h"

namespace nebula::api_manager {

void ApplyMigrations(const std::string& database_url) {
  try {
    pqxx::connection conn(database_url);
    pqxx::work tx(conn, "migrations");
    // Transaction-scoped: released by commit or by the connection dying, never leaked.
    tx.exec("SELECT pg_advisory_xact_lock(" + std::to_string(kMigrationLockKey) + ")");
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        "  version integer PRIMARY KEY,"
        "  name text NOT NULL,"
        "  checksum text NOT NULL,"
        "  applied_at timestamptz NOT NULL DEFAULT now())");
    std::vector<AppliedMigration> applied;
    for (const auto& row : tx.exec("SELECT version, name, checksum FROM schema_migrations ORDER BY version"))
      applied.push_back({row[0].as<int>(), row[1].as<std::string>(), row[2].as<std::string>()});

    MigrationPlan plan = PlanMigrations(EmbeddedMigrations(), applied);
    for (const auto& warning : plan.warnings) spdlog::warn("{}", warning);
    for (const auto& m : plan.to_apply) {
      spdlog::info("applying database migration {}", m.name);
      try {
        tx.exec(m.sql);
      } catch (const pqxx::sql_error& e) {
        throw Error(ErrorCode::kFailedPrecondition, "database migration " + m.name + " failed: " + PgErrorText(e));
      }
      tx.exec_params("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", m.version, m.name,
                     MigrationChecksum(m.sql));
    }
    tx.commit();
    if (plan.to_apply.empty()) spdlog::info("database schema is up to date");
  } catch (const pqxx::broken_connection& e) {
    throw Error(ErrorCode::kUnavailable, "cannot reach the database: " + PgErrorText(e));
  } catch (const pqxx::sql_error& e) {
    throw Error(ErrorCode::kFailedPrecondition, "preparing the database schema failed: " + PgErrorText(e));
  }
}

}  // namespace nebula::api_manager
