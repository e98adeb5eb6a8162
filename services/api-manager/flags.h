// Command line of nebula-api-manager; every flag has a NEBULA_* environment fallback.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace nebula::api_manager {

struct ApiManagerFlags {
  std::string listen = "127.0.0.1:50051";
  std::string database_url;
  std::string kafka_brokers = "127.0.0.1:9092";
  int desired_partitions = 8;
  std::string log_level = "info";
  std::string log_format = "text";            // text (logfmt-style) | json (one object per line)
  int worker_lost_seconds = 90;               // a worker silent this long is LOST
  std::vector<std::string> kafka_properties;  // key=value, passed to librdkafka (TLS, SASL)
  std::string auth = "none";                  // none (ACLs off) | required (identity tables)
  std::string bootstrap_admin_token;          // "<id>.<secret>" for user admin; never logged
  std::string bootstrap_admin_password;       // password of user admin; never logged
  std::string metrics_listen;                 // host:port of GET /metrics; empty = off
  std::string tls_cert;                       // PEM file; empty = plaintext gRPC
  std::string tls_key;                        // PEM file of tls_cert's private key
  std::string tls_client_ca;                  // PEM file; set = clients need a certificate it signed
  int read_cache_staleness_ms = 2000;         // app read cache's staleness bound; 0 = no cache
  // Kafka consumer group of the reports consumer: shared by the replicas of one database; another
  // database on the same Kafka cluster needs its own (else the replicas of both split the reports).
  std::string reports_group = "nebula-api-manager";
  std::string signing_key_file;  // ed25519-secret key file; set = every record is signed
};

// The environment variable naming the --config file (the CLI has NEBULA_CONFIG for its YAML).
inline constexpr const char* kConfigFileVariable = "NEBULA_API_MANAGER_CONFIG";

void AddFlags(CLI::App& app, ApiManagerFlags& flags);

// "key=value" items → map. Throws nebula::Error(kInvalidArgument) for an item without '=' or key.
std::map<std::string, std::string> ParseKafkaProperties(const std::vector<std::string>& items);

}  // namespace nebula::api_manager
