// The agent's flags (contracts: "Process flags"), each with an env fallback.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nebula::agent {

struct AgentConfig {
  std::vector<std::string> apps;       // --apps / NEBULA_APPS / APP_NAME (the original's)
  std::string worker_id;               // --worker-id / NEBULA_WORKER_ID, default hostname
  std::string kafka_brokers = "127.0.0.1:9092";
  std::map<std::string, std::string> kafka_settings;  // --kafka-setting name=value (TLS, SASL)
  std::string docker_host = "unix:///var/run/docker.sock";
  std::string listen = "127.0.0.1:50052";
  std::string default_host_ip;
  int resync_seconds = 30;
  int report_interval_seconds = 30;  // heartbeat of the reports on nebula.reports
  int stop_timeout_seconds = 10;
  int docker_parallelism = 8;
  int host_cpus = 0;          // 0 = read from the machine
  int64_t host_memory_mb = 0; // 0 = read from the machine
  std::string log_level = "info";
};

// Parses argv (and the environment). Returns -1 to go on, or the exit code for --help and bad
// flags (the message is already printed).
int ParseAgentConfig(int argc, char** argv, AgentConfig& config);

}  // namespace nebula::agent
