// `nebula apply -f FILE`: create or update the apps, cron jobs and device groups a file describes.
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace nebula::cli {

void AddApplyCommand(CLI::App& root, const GlobalOptions& global, Action* action);

}  // namespace nebula::cli
