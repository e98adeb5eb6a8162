#include "session.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace nebula::cli {

namespace {

std::string ReadWholeFile(const std::string& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInvalidArgument, "cannot read " + what + " " + path + ": " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

void AddGlobalFlags(CLI::App& root, GlobalOptions* global) {
  auto& o = global->overrides;
  auto text = [&](const std::string& name, std::optional<std::string>* target, const std::string& env,
                  const std::string& type, const std::string& help) {
    root.add_option_function<std::string>(
            name, [target](const std::string& v) { *target = v; }, help)
        ->envname(env)
        ->type_name(type);
  };
  text("--endpoint", &o.endpoint, "NEBULA_ENDPOINT", "HOST:PORT",
       "api-manager address (default " + Connection{}.endpoint + ", the dev stack's)");
  text("--context", &o.context, "NEBULA_CONTEXT", "NAME", "Config file context to use (default: current-context)");
  text("--token", &o.token, "NEBULA_TOKEN", "ID.SECRET", "Bearer token (sent as authorization: Bearer ...)");
  text("--user", &o.user, "NEBULA_USER", "NAME", "Basic auth user name");
  text("--password", &o.password, "NEBULA_PASSWORD", "PASSWORD", "Basic auth password (prefer NEBULA_PASSWORD)");
  text("--ca-cert", &o.ca_cert, "NEBULA_CA_CERT", "FILE", "PEM roots to verify the server (implies --tls)");
  text("--client-cert", &o.client_cert, "NEBULA_CLIENT_CERT", "FILE", "PEM client certificate for mutual TLS");
  text("--client-key", &o.client_key, "NEBULA_CLIENT_KEY", "FILE", "PEM client key for mutual TLS");
  root.add_flag_function(
      "--tls", [global](int64_t) { global->overrides.tls = true; }, "Connect with TLS (system roots unless --ca-cert)");
  root.add_option("--config", global->config_path, "Config file (default ~/.config/nebula/config.yaml)")
      ->envname("NEBULA_CONFIG")
      ->type_name("FILE");
  root.add_option_function<std::string>(
          "-o,--output",
          [global](const std::string& v) {
            global->output = v == "json"   ? OutputFormat::kJson
                             : v == "yaml" ? OutputFormat::kYaml
                                           : OutputFormat::kTable;
          },
          "Output format: table|json|yaml (json: proto3 JSON, as the REST API)")
      ->type_name("FORMAT")
      ->check(CLI::IsMember({"table", "json", "yaml"}));
  root.add_option_function<double>(
          "--timeout",
          [global](double v) {
            global->timeout_seconds = v;
            global->timeout_given = true;
          },
          "Seconds one command may take, retries and --wait included (default 30; 300 with --wait)")
      ->type_name("SECONDS")
      ->check(CLI::Range(0.1, 86400.0));
}

Config LoadConfig(const GlobalOptions& global) {
  const std::string path = global.config_path.empty()
                               ? DefaultConfigPath(nullptr, std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"))
                               : global.config_path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  try {
    return ParseConfig(ReadWholeFile(path, "config file"));
  } catch (const Error& e) {
    Usage("config file " + path + ": " + e.what());
  }
}

void SaveConfig(const GlobalOptions& global, const Config& config) {
  const std::string path = global.config_path.empty()
                               ? DefaultConfigPath(nullptr, std::getenv("XDG_CONFIG_HOME"), std::getenv("HOME"))
                               : global.config_path;
  const std::filesystem::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) throw Error(ErrorCode::kInternal, "cannot create " + target.parent_path().string() + ": " + ec.message());
  }
  const std::string temp = path + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(ErrorCode::kInternal, "cannot write " + temp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);  // an existing temp file keeps its mode otherwise
  const std::string text = SerializeConfig(config);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const bool closed = ::close(fd) == 0;
  if (!written || !closed || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    throw Error(ErrorCode::kInternal, "cannot write " + path + ": " + std::strerror(errno));
  }
}

Connection ResolveConnection(const GlobalOptions& global) { return Resolve(LoadConfig(global), global.overrides); }

sdk::ClientOptions ClientOptionsFor(const Connection& connection, const GlobalOptions& global) {
  sdk::ClientOptions options;
  options.endpoint = connection.endpoint;
  options.deadline = std::chrono::milliseconds(static_cast<long long>(global.timeout_seconds * 1000));
  options.token = connection.token;
  options.user = connection.user;
  options.password = connection.password;
  options.tls.enabled = connection.tls;
  if (!connection.ca_cert.empty()) options.tls.root_certs_pem = ReadWholeFile(connection.ca_cert, "--ca-cert");
  if (!connection.client_cert.empty())
    options.tls.client_cert_pem = ReadWholeFile(connection.client_cert, "--client-cert");
  if (!connection.client_key.empty()) options.tls.client_key_pem = ReadWholeFile(connection.client_key, "--client-key");
  return options;
}

sdk::Client MakeClient(const GlobalOptions& global) {
  return sdk::Client(ClientOptionsFor(ResolveConnection(global), global));
}

void PrintChanged(const google::protobuf::Message& message, const std::string& what, int64_t generation,
                  const std::string& verb, const GlobalOptions& global) {
  if (global.output == OutputFormat::kTable) {
    std::cout << what << ' ' << verb;
    if (generation > 0) std::cout << " (generation " << generation << ")";
    std::cout << '\n';
  } else {
    std::cout << Render(message, global.output);
  }
}

void PrintView(const google::protobuf::Message& message, const std::string& table, const GlobalOptions& global) {
  if (global.output == OutputFormat::kTable)
    std::cout << table;
  else
    std::cout << Render(message, global.output);
}

void Usage(const std::string& message) { throw CLI::ValidationError(message); }

void Examples(CLI::App* command, const std::string& examples) {
  command->footer("Examples:\n" + examples +
                  "\nGlobal flags: --endpoint, --context, --token, --user/--password, --tls, -o, --timeout "
                  "(see nebula --help).");
}

}  // namespace nebula::cli
