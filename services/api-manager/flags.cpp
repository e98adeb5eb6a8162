#include "api-manager/flags.h"

#include "common/error.h"
#include "common/service_flags.h"

namespace nebula::api_manager {

void AddFlags(CLI::App& app, ApiManagerFlags& flags) {
  // NEBULA_API_MANAGER_CONFIG, not NEBULA_CONFIG: that one names the nebula CLI's YAML file, and a shell
  // that sets it for the CLI must not hand the api-manager a file it cannot read.
  AddConfigFileFlag(app, kConfigFileVariable, "listen = \"0.0.0.0:50051\"");
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
  AddLoggingFlags(app, flags.log_level, flags.log_format);
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
  app.add_option("--read-cache-staleness-ms", flags.read_cache_staleness_ms,
                 "GetApp/ListApps from memory, missing no change older than this many ms on any replica; 0 = "
                 "every read goes to the database")
      ->envname("NEBULA_READ_CACHE_STALENESS_MS")
      ->check(CLI::Range(0, 600000));
  app.add_option("--reports-group", flags.reports_group,
                 "Kafka consumer group reading nebula.reports: the same for every replica of one database, another "
                 "for a second database on the same Kafka cluster")
      ->envname("NEBULA_REPORTS_GROUP")
      ->capture_default_str();
  app.add_option("--signing-key-file", flags.signing_key_file,
                 "sign every nebula.desired record with this Ed25519 key (\"ed25519-secret <key-id> <base64 seed>\", "
                 "owner-only permissions; `nebula keys generate` makes one); agents verify with its public key "
                 "(docs/architecture.md \"Trust\")")
      ->envname("NEBULA_SIGNING_KEY_FILE");
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
