// `nebula apps ...`: CLI11 wiring and the calls through the C++ SDK.
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace nebula::cli {

// Adds `apps` and its verbs to root. Parsing a verb stores its action in *action.
void AddAppsCommands(CLI::App& root, const GlobalOptions& global, Action* action);

}  // namespace nebula::cli
