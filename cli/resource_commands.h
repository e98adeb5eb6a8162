// `nebula device-groups|cron-jobs|workers|reports|audit|prune`.
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace nebula::cli {

void AddResourceCommands(CLI::App& root, const GlobalOptions& global, Action* action);

}  // namespace nebula::cli
