// `nebula apps create|get|list|update|delete`: CLI11 wiring and the calls through the C++ SDK.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>

#include "output.h"

namespace nebula::cli {

struct GlobalOptions {
  std::string endpoint = "127.0.0.1:50051";
  OutputFormat output = OutputFormat::kTable;
  double timeout_seconds = 30;
};

// The verb the user chose, to run after parsing; returns the process exit code.
using Action = std::function<int()>;

// Adds `apps` and its verbs to root. Parsing a verb stores its action in *action.
void AddAppsCommands(CLI::App& root, const GlobalOptions& global, Action* action);

}  // namespace nebula::cli
