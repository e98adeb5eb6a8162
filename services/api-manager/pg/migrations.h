// Brings the database schema up to date at start-up. Safe when several replicas start at once: the
// whole run is one transaction under an advisory lock, recorded in schema_migrations.
#pragma once

#include <string>

namespace nebula::api_manager {

// Throws nebula::Error: kUnavailable if the database cannot be reached (worth retrying),
// kFailedPrecondition if a migration fails or an applied one was edited (not worth retrying).
void ApplyMigrations(const std::string& database_url);

}  // namespace nebula::api_manager
