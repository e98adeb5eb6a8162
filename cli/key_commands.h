// `nebula keys`: the Ed25519 key pairs that sign nebula.desired records (docs/architecture.md "Trust").
#pragma once

#include <CLI/CLI.hpp>

#include "session.h"

namespace nebula::cli {

void AddKeyCommands(CLI::App& root, Action* action);

}  // namespace nebula::cli
