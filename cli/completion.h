// `nebula completion bash|zsh`: a completion script generated from the command tree itself, so it
// never drifts from the real commands and flags. Pure.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace nebula::cli {

// Completes subcommands and the long flags of the command typed so far (plus the global flags).
std::string BashCompletion(const CLI::App& root);
// zsh loads the bash function through bashcompinit.
std::string ZshCompletion(const CLI::App& root);

}  // namespace nebula::cli
