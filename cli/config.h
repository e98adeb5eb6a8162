// The CLI's config file (~/.config/nebula/config.yaml, mode 0600): named contexts, each an endpoint
// and credentials, and the current one. How flags, env vars and the file combine. Pure; the file
// I/O is config_file.cpp.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nebula::cli {

struct Context {
  std::string name;
  std::string endpoint;
  std::string token;
  std::string user;
  std::string password;
  bool tls = false;
  std::string ca_cert;  // file paths, read when connecting
  std::string client_cert;
  std::string client_key;
  bool operator==(const Context&) const = default;
};

struct Config {
  std::string current_context;
  std::vector<Context> contexts;
  bool operator==(const Config&) const = default;
};

// Throws nebula::Error(kInvalidArgument) naming the problem (the caller adds the path).
Config ParseConfig(std::string_view yaml);
std::string SerializeConfig(const Config& config);

const Context* FindContext(const Config& config, std::string_view name);
// Adds or replaces the context of that name.
void UpsertContext(Config& config, Context context);

// What the command line and the environment gave (CLI11 fills each from its flag, else its env var).
struct ConnectionOverrides {
  std::optional<std::string> context;  // --context / NEBULA_CONTEXT
  std::optional<std::string> endpoint, token, user, password, ca_cert, client_cert, client_key;
  std::optional<bool> tls;
};

struct Connection {
  std::string context;                       // empty: no context used
  std::string endpoint = "127.0.0.1:20051";  // the dev stack's api-manager (nebula-devstack's default port base + 1)
  std::string token, user, password;
  bool tls = false;
  std::string ca_cert, client_cert, client_key;
};

// Flags and env vars win over the context (--context, else the file's current context); a context
// named explicitly must exist (kNotFound otherwise). A token from the overrides drops the context's
// user/password and vice versa, so one credential is used.
Connection Resolve(const Config& config, const ConnectionOverrides& overrides);

// $NEBULA_CONFIG, else $XDG_CONFIG_HOME/nebula/config.yaml, else $HOME/.config/nebula/config.yaml.
std::string DefaultConfigPath(const char* nebula_config, const char* xdg_config_home, const char* home);

}  // namespace nebula::cli
