// The agent's flags (contracts: "Process flags"), each with an env fallback, and --config <file>
// (service_flags.h: flag > env > file > default).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/signing/record_signature.h"
#include "worker-agent/docker/registry_auth.h"

namespace nebula::agent {

struct AgentConfig {
  std::vector<std::string> apps;  // --apps / NEBULA_APPS / APP_NAME (the original's)
  std::string device_group;       // --device-group / NEBULA_DEVICE_GROUP (instead of --apps)
  std::string worker_id;          // --worker-id / NEBULA_WORKER_ID, default hostname
  std::string kafka_brokers = "127.0.0.1:9092";
  std::map<std::string, std::string> kafka_settings;  // --kafka-setting name=value (TLS, SASL)
  std::string docker_host = "unix:///var/run/docker.sock";
  std::string runtime = "docker";  // --runtime docker|hollow (hollow: in memory, benchmarks only)
  std::string listen = "127.0.0.1:50052";
  std::string default_host_ip;
  int resync_seconds = 30;
  int report_interval_seconds = 30;  // heartbeat of the reports on nebula.reports
  int stop_timeout_seconds = 10;
  int docker_parallelism = 8;
  int host_cpus = 0;           // 0 = read from the machine
  int64_t host_memory_mb = 0;  // 0 = read from the machine
  std::string log_level = "info";
  std::string log_format = "text";  // --log-format text|json (logging.h)
  // Registry credentials: a docker config.json (`auths`), explicit host=user:password entries and
  // files of such lines (one per line, '#' comments). Explicit ones win over the config file.
  std::string docker_config;            // default ~/.docker/config.json (missing is fine then)
  bool docker_config_explicit = false;  // given by flag/env: a missing file is an error
  std::vector<std::string> registry_auth;
  std::string registry_auth_file;
  // Files of "ed25519 <key-id> <base64 public key>" lines: only records signed by one of these keys
  // are applied (docs/architecture.md "Trust"). Empty: records are not verified (a warning at start).
  std::vector<std::string> trusted_key_files;
  // For the start-up log: the --config file and whether --config or NEBULA_AGENT_CONFIG named it
  // (DescribeConfigFile in service_flags.h).
  std::string config_file_origin;
};

// The keys of config.trusted_key_files, in file order. Throws nebula::Error naming the file and line,
// or a key id given twice.
std::vector<signing::PublicKey> LoadTrustedKeys(const AgentConfig& config);

// The credentials the flags name, read from their files. Throws nebula::Error (never quoting a
// secret) for unreadable files and malformed entries.
RegistryCredentials LoadRegistryCredentials(const AgentConfig& config);

// Parses argv (and the environment). Returns -1 to go on, or the exit code for --help and bad
// flags (the message is already printed).
int ParseAgentConfig(int argc, char** argv, AgentConfig& config);

}  // namespace nebula::agent
