// What every command shares: the global flags, the connection they resolve to (flags > env vars >
// config context), the SDK client, and printing. The imperative shell around the pure core.
#pragma once

#include <CLI/CLI.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <type_traits>
#include <vector>

#include "config.h"
#include "common/error.h"
#include "nebula/sdk/client.h"
#include "output.h"

namespace nebula::cli {

struct GlobalOptions {
  OutputFormat output = OutputFormat::kTable;
  double timeout_seconds = 30;
  bool timeout_given = false;  // --wait budgets 300 s unless --timeout is given
  std::string config_path;     // --config / NEBULA_CONFIG, else DefaultConfigPath
  ConnectionOverrides overrides;
};

// The verb the user chose, to run after parsing; returns the process exit code.
using Action = std::function<int()>;

// Adds the global flags to root; call Finish() after parsing.
void AddGlobalFlags(CLI::App& root, GlobalOptions* global);

Config LoadConfig(const GlobalOptions& global);                      // missing file: empty config
void SaveConfig(const GlobalOptions& global, const Config& config);  // mode 0600, atomic
Connection ResolveConnection(const GlobalOptions& global);
sdk::ClientOptions ClientOptionsFor(const Connection& connection, const GlobalOptions& global);
sdk::Client MakeClient(const GlobalOptions& global);

// Registers what a verb does once the flags are parsed: body(client), with a client for the resolved
// connection, or body(client, started), started being when the verb began (before connecting), which
// a --wait budget counts from.
template <typename Body>
void On(CLI::App* command, const GlobalOptions& global, Action* action, Body body) {
  command->final_callback([&global, action, body] {
    *action = [&global, body] {
      const auto started = std::chrono::steady_clock::now();
      auto client = MakeClient(global);
      if constexpr (std::is_invocable_v<const Body&, sdk::Client&, std::chrono::steady_clock::time_point>) {
        return body(client, started);
      } else {
        return body(client);
      }
    };
  });
}

// Runs one SDK call; a transport failure names the endpoint, which is what the user has to check.
template <typename Fn>
auto Call(const sdk::Client& client, Fn&& call) {
  try {
    return call();
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kUnavailable && e.code() != ErrorCode::kDeadlineExceeded) throw;
    throw Error(e.code(), "cannot reach the api-manager at " + client.options().endpoint + ": " + e.what(),
                e.violations());
  }
}

// table mode: `<kind> "<name>" <verb> (generation N)`; json/yaml: the message.
void PrintChanged(const google::protobuf::Message& message, const std::string& what, int64_t generation,
                  const std::string& verb, const GlobalOptions& global);
// table mode: the table text; json/yaml: the message.
void PrintView(const google::protobuf::Message& message, const std::string& table, const GlobalOptions& global);

// A usage error raised after parsing (exit 1).
[[noreturn]] void Usage(const std::string& message);

// Appends "Global flags" and the examples to a command's help.
void Examples(CLI::App* command, const std::string& examples);

}  // namespace nebula::cli
