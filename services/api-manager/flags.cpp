#include "flags.h"

#include <cstdlib>
#include <memory>

#include "error.h"

namespace nebula::api_manager {
namespace {

// CLI11 applies a config file before the environment, so a file value would beat NEBULA_*. This reader
// drops the file's value of every option whose environment variable is set (flag > env > file >
// default) and names an unknown key instead of CLI11's "INI was not able to parse".
class EnvFirstConfig : public CLI::ConfigTOML {
 public:
  explicit EnvFirstConfig(const CLI::App& app) : app_(app) {}

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    std::vector<CLI::ConfigItem> kept;
    for (CLI::ConfigItem& item : CLI::ConfigTOML::from_config(input)) {
      if (item.name == "++" || item.name == "--") continue;  // section markers: we have no subcommands
      const CLI::Option* option = app_.get_option_no_throw("--" + item.name);
      if (option == nullptr || !option->get_configurable() || !item.parents.empty())
        throw CLI::ConfigError("unknown key \"" + item.fullname() +
                               "\" in the config file (keys are the long flag names without --, e.g. listen)");
      std::string env = option->get_envname();
      if (!env.empty() && std::getenv(env.c_str()) != nullptr) continue;
      kept.push_back(std::move(item));
    }
    return kept;
  }

 private:
  const CLI::App& app_;
};

}  // namespace

void AddFlags(CLI::App& app, ApiManagerFlags& flags) {
  // CLI11 reads the config option before the environment, so NEBULA_CONFIG becomes its default here.
  const char* env_file = std::getenv("NEBULA_CONFIG");
  app.set_config("--config", env_file ? env_file : "",
                 "TOML (or INI) file of flags: one `name = value` per line with the long flag name, e.g. "
                 "listen = \"0.0.0.0:50051\"; a flag or its NEBULA_* variable beats the file",
                 env_file != nullptr)
      ->envname("NEBULA_CONFIG");
  app.config_formatter(std::make_shared<EnvFirstConfig>(app));
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.add_option("--listen", flags.listen, "gRPC listen address (host:port)")
      ->envname("NEBULA_LISTEN")
      ->capture_default_str();
  app.add_option("--database-url", flags.database_url,
                 "PostgreSQL connection: libpq conninfo (\"host=... dbname=...\") or URI (postgresql://...)")
      ->envname("NEBULA_DATABASE_URL")
      ->required();
  app.add_option("--kafka-brokers", flags.kafka_brokers, "Kafka bootstrap servers (host:port,...)")
      ->envname("NEBULA_KAFKA_BROKERS")
      ->capture_default_str();
  app.add_option("--desired-partitions", flags.desired_partitions,
                 "partitions of the nebula.desired and nebula.reports topics when this creates them")
      ->envname("NEBULA_DESIRED_PARTITIONS")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  app.add_option("--worker-lost-seconds", flags.worker_lost_seconds,
                 "a worker whose newest report is older than this is LOST and no longer counted in app status")
      ->envname("NEBULA_WORKER_LOST_SECONDS")
      ->check(CLI::Range(1, 86400 * 365))
      ->capture_default_str();
  app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error, critical or off")
      ->envname("NEBULA_LOG_LEVEL")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}))
      ->capture_default_str();
  app.add_option("--log-format", flags.log_format,
                 "text: logfmt-style lines; json: one JSON object per line (time, level, service, message)")
      ->envname("NEBULA_LOG_FORMAT")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  app.add_option("--auth", flags.auth,
                 "none: ACLs off, every caller is the admin \"anonymous\" (like Nomad/Consul's default); required: "
                 "every call needs a bearer token or basic auth checked against the identity tables")
      ->envname("NEBULA_AUTH")
      ->check(CLI::IsMember({"none", "required"}))
      ->capture_default_str();
  app.add_option("--bootstrap-admin-token", flags.bootstrap_admin_token,
                 "at start, ensure user \"admin\" in user group \"admins\" (admin) with this token, "
                 "\"<id>.<secret>\" (id: a DNS label, secret: 32+ of [A-Za-z0-9_-]); idempotent, never logged")
      ->envname("NEBULA_BOOTSTRAP_ADMIN_TOKEN");
  app.add_option("--bootstrap-admin-password", flags.bootstrap_admin_password,
                 "at start, ensure user \"admin\" in user group \"admins\" with this password (8+ characters); "
                 "idempotent, never logged")
      ->envname("NEBULA_BOOTSTRAP_ADMIN_PASSWORD");
  app.add_option("--kafka-property", flags.kafka_properties,
                 "extra librdkafka property key=value for every Kafka client, e.g. security.protocol=ssl "
                 "(repeatable; the env var takes a comma-separated list)")
      ->envname("NEBULA_KAFKA_PROPERTIES")
      ->delimiter(',');
  app.add_option("--metrics-listen", flags.metrics_listen,
                 "host:port serving Prometheus metrics on GET /metrics (plain HTTP); empty = off")
      ->envname("NEBULA_METRICS_LISTEN");
  auto* cert = app.add_option("--tls-cert", flags.tls_cert,
                              "PEM certificate (chain) of the gRPC listener; with --tls-key turns on TLS (else "
                              "plaintext)")
                   ->envname("NEBULA_TLS_CERT")
                   ->check(CLI::ExistingFile);
  auto* key = app.add_option("--tls-key", flags.tls_key, "PEM private key of --tls-cert")
                  ->envname("NEBULA_TLS_KEY")
                  ->check(CLI::ExistingFile);
  cert->needs(key);
  key->needs(cert);
  app.add_option("--tls-client-ca", flags.tls_client_ca,
                 "PEM CA bundle: clients must present a certificate signed by it (mutual TLS)")
      ->envname("NEBULA_TLS_CLIENT_CA")
      ->check(CLI::ExistingFile)
      ->needs(cert);
}

std::map<std::string, std::string> ParseKafkaProperties(const std::vector<std::string>& items) {
  std::map<std::string, std::string> properties;
  for (const auto& item : items) {
    size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      throw Error(ErrorCode::kInvalidArgument, "--kafka-property expects key=value, got \"" + item + "\"");
    properties[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return properties;
}

}  // namespace nebula::api_manager
