// Command-line pieces every Nebula service shares (api-manager, worker-agent, gateway), so each knob
// behaves the same everywhere:
//   --config <file>   TOML (or INI): one `name = value` per line, name = the long flag name without --.
//                     Precedence: flag > environment variable > file > default. A key that is not a
//                     flag of this service, or a flag inside a [section], is an error naming the key and
//                     the file (a typo must not silently fall back to a default).
//   --log-level       trace … off (NEBULA_LOG_LEVEL)
//   --log-format      text | json (NEBULA_LOG_FORMAT), see logging.h
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace nebula {

// Adds --config to `app` with `env_name` as its environment fallback. `example` is one line of a file
// for the help text, e.g. `listen = "0.0.0.0:50051"`. The options may be added before or after this.
void AddConfigFileFlag(CLI::App& app, const std::string& env_name, const std::string& example);

// For the start-up log, after app.parse(): which file --config names and where that came from, e.g.
// "config file /etc/nebula/gateway.toml (from NEBULA_GATEWAY_CONFIG)", "config file x.toml (from
// --config)" or "no config file (neither --config nor NEBULA_GATEWAY_CONFIG is set)". Each service
// reads its own variable, so a user who set another one's sees it here.
std::string DescribeConfigFile(const CLI::App& app);

// Adds --log-level and --log-format (checked; the defaults are the current values of level/format).
void AddLoggingFlags(CLI::App& app, std::string& level, std::string& format);

}  // namespace nebula
