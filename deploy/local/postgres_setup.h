// The stack's PostgreSQL 15: its own cluster (initdb once), on 127.0.0.1:B+3, database `nebula`.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "child_process.h"
#include "preflight.h"
#include "stack_plan.h"

namespace nebula::devstack {

// Starts the server and returns once it accepts connections and `nebula` exists.
std::unique_ptr<ChildProcess> StartPostgres(const UpOptions& options, const StackPaths& paths, const Toolbox& tools);

// Where the cluster lives when the postgres user cannot reach the state dir (e.g. under /root): the
// postgres user's own home, one directory per state dir.
std::filesystem::path FallbackClusterDir(const std::filesystem::path& state_dir);

}  // namespace nebula::devstack
