// `nebula users|user-groups|tokens|whoami|login|config|completion`.
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace nebula::cli {

void AddIdentityCommands(CLI::App& root, const GlobalOptions& global, Action* action);
// `login`, `config ...` and `completion` (these read/write the config file or print a script).
void AddLocalCommands(CLI::App& root, GlobalOptions& global, Action* action);

}  // namespace nebula::cli
