// Which schema migrations a database still needs (pure). The migrations themselves are compiled
// into the binary from migrations/NNNN_name.sql (see cmake/embed_migrations.cmake).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nebula::api_manager {

struct Migration {
  int version = 0;
  std::string name;  // "0001_initial"
  std::string sql;
};

// A row of schema_migrations.
struct AppliedMigration {
  int version = 0;
  std::string name;
  std::string checksum;
};

struct MigrationPlan {
  std::vector<Migration> to_apply;    // in version order
  std::vector<std::string> warnings;  // e.g. the database is newer than this binary
};

const std::vector<Migration>& EmbeddedMigrations();

// Stable across builds and platforms (FNV-1a 64, hex), so editing an applied migration is caught.
std::string MigrationChecksum(std::string_view sql);

// Throws nebula::Error(kFailedPrecondition) if an applied migration differs from the embedded one
// of the same version: the schema would silently diverge from what the code expects.
MigrationPlan PlanMigrations(const std::vector<Migration>& embedded, const std::vector<AppliedMigration>& applied);

}  // namespace nebula::api_manager
