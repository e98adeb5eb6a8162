#include "worker-agent/agent/agent_config.h"

#include <CLI/CLI.hpp>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/error.h"
#include "common/service_flags.h"

namespace nebula::agent {

namespace {

std::string Hostname() {
  char name[256] = {0};
  if (gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// App names are DNS labels (docs/architecture.md "Bad input"); anything else cannot be an app the API accepted.
std::string CheckApps(const std::vector<std::string>& apps) {
  static const std::regex kDnsLabel("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  if (apps.empty()) return "no apps: pass --apps a,b (or NEBULA_APPS, or APP_NAME)";
  for (const auto& app : apps) {
    if (!std::regex_match(app, kDnsLabel)) return "app name \"" + app + "\" is not a DNS label";
  }
  return {};
}

}  // namespace

RegistryCredentials LoadRegistryCredentials(const AgentConfig& config) {
  RegistryCredentials credentials;
  auto read = [](const std::string& path, std::string& out) {
    std::ifstream in(path);
    if (!in) return false;
    std::ostringstream text;
    text << in.rdbuf();
    out = text.str();
    return true;
  };
  std::string text;
  if (read(config.docker_config, text)) {
    try {
      credentials = ParseDockerConfig(text);
    } catch (const Error& e) {
      throw Error(ErrorCode::kInvalidArgument, config.docker_config + ": " + e.what());
    }
  } else if (config.docker_config_explicit) {
    throw Error(ErrorCode::kInvalidArgument, "cannot read docker config " + config.docker_config);
  }
  if (!config.registry_auth_file.empty()) {
    if (!read(config.registry_auth_file, text)) {
      throw Error(ErrorCode::kInvalidArgument, "cannot read registry auth file " + config.registry_auth_file);
    }
    std::istringstream lines(text);
    int number = 0;
    for (std::string line; std::getline(lines, line);) {
      ++number;
      line.erase(0, line.find_first_not_of(" \t"));
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
      if (line.empty() || line.front() == '#') continue;
      try {
        auto [host, credential] = ParseRegistryAuth(line);
        credentials[host] = std::move(credential);
      } catch (const Error& e) {
        throw Error(ErrorCode::kInvalidArgument,
                    config.registry_auth_file + " line " + std::to_string(number) + ": " + e.what());
      }
    }
  }
  for (const auto& entry : config.registry_auth) {
    auto [host, credential] = ParseRegistryAuth(entry);
    credentials[host] = credential;
  }
  return credentials;
}

std::vector<signing::PublicKey> LoadTrustedKeys(const AgentConfig& config) {
  std::vector<signing::PublicKey> keys;
  for (const auto& file : config.trusted_key_files) {
    for (auto& key : signing::LoadPublicKeys(file)) {
      for (const auto& known : keys)
        if (known.id == key.id)
          throw Error(ErrorCode::kInvalidArgument, "trusted key id \"" + key.id + "\" appears twice (" + file + ")");
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

int ParseAgentConfig(int argc, char** argv, AgentConfig& config) {
  CLI::App cli{"nebula-worker-agent: runs the containers of its apps on this host's dockerd, as desired in Kafka"};
  std::vector<std::string> apps;
  std::vector<std::string> kafka_settings;
  cli.add_option("--apps", apps, "Apps this host runs, comma-separated (env APP_NAME is accepted too)")
      ->envname("NEBULA_APPS")
      ->delimiter(',');
  cli.add_option("--device-group", config.device_group,
                 "Follow this device group's apps and cron jobs (instead of --apps)")
      ->envname("NEBULA_DEVICE_GROUP");
  cli.add_option("--worker-id", config.worker_id, "This agent's identity in container labels [hostname]")
      ->envname("NEBULA_WORKER_ID");
  cli.add_option("--kafka-brokers", config.kafka_brokers, "Kafka bootstrap servers")
      ->envname("NEBULA_KAFKA_BROKERS")
      ->capture_default_str();
  cli.add_option("--kafka-setting", kafka_settings, "Extra librdkafka property name=value (TLS, SASL); repeatable")
      ->envname("NEBULA_KAFKA_SETTINGS")
      ->delimiter(',');
  cli.add_option("--docker-host", config.docker_host, "dockerd endpoint: unix:///path or tcp://host:port")
      ->envname("DOCKER_HOST")
      ->capture_default_str();
  cli.add_option("--runtime", config.runtime,
                 "docker, or hollow: an in-memory runtime for control-plane benchmarks (never for real work)")
      ->envname("NEBULA_RUNTIME")
      ->check(CLI::IsMember({"docker", "hollow"}))
      ->capture_default_str();
  cli.add_option("--listen", config.listen, "gRPC address of the WorkerAgent service")
      ->envname("NEBULA_AGENT_LISTEN")
      ->capture_default_str();
  cli.add_option("--default-host-ip", config.default_host_ip,
                 "Host address for port mappings without their own host_ip [all addresses]")
      ->envname("NEBULA_DEFAULT_HOST_IP");
  cli.add_option("--resync-seconds", config.resync_seconds, "Full reconcile at least this often")
      ->envname("NEBULA_RESYNC_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cli.add_option("--report-interval-seconds", config.report_interval_seconds,
                 "Publish this worker's report to nebula.reports at least this often (and on every change)")
      ->envname("NEBULA_REPORT_INTERVAL_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  cli.add_option("--stop-timeout-seconds", config.stop_timeout_seconds,
                 "Grace period between SIGTERM and SIGKILL when a container is replaced or removed")
      ->envname("NEBULA_STOP_TIMEOUT_SECONDS")
      ->check(CLI::Range(0, 3600))
      ->capture_default_str();
  cli.add_option("--docker-parallelism", config.docker_parallelism, "Docker calls in flight at once")
      ->envname("NEBULA_DOCKER_PARALLELISM")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cli.add_option("--host-cpus", config.host_cpus, "CPU cores for containers_per.cpu [read from the machine]")
      ->envname("NEBULA_HOST_CPUS")
      ->check(CLI::Range(0, 1 << 20));
  cli.add_option("--host-memory-mb", config.host_memory_mb,
                 "Memory (MiB) for containers_per.memory_mb [read from the machine]")
      ->envname("NEBULA_HOST_MEMORY_MB")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  cli.add_option("--docker-config", config.docker_config,
                 "docker config.json whose `auths` hold registry credentials [~/.docker/config.json]")
      ->envname("NEBULA_DOCKER_CONFIG");
  cli.add_option("--registry-auth", config.registry_auth,
                 "Registry credentials host=user:password; repeatable, wins over --docker-config")
      ->envname("NEBULA_REGISTRY_AUTH");
  cli.add_option("--registry-auth-file", config.registry_auth_file,
                 "File of host=user:password lines (registry credentials)")
      ->envname("NEBULA_REGISTRY_AUTH_FILE");
  cli.add_option("--trusted-keys", config.trusted_key_files,
                 "Files of public keys (\"ed25519 <key-id> <base64>\" lines) whose signatures this agent accepts on "
                 "nebula.desired; comma-separated or repeated. Unset: records are not verified")
      ->envname("NEBULA_TRUSTED_KEYS")
      ->delimiter(',');
  AddLoggingFlags(cli, config.log_level, config.log_format);
  // NEBULA_AGENT_CONFIG, not NEBULA_CONFIG: that one names the nebula CLI's YAML file, and the dev
  // stack starts the agent from the user's environment.
  AddConfigFileFlag(cli, "NEBULA_AGENT_CONFIG", "apps = \"web,api\"");

  try {
    cli.parse(argc, argv);
    config.config_file_origin = DescribeConfigFile(cli);
    config.apps.clear();
    for (const auto& a : apps) {
      for (auto& item : SplitList(a)) config.apps.push_back(std::move(item));
    }
    if (config.apps.empty() && config.device_group.empty()) {
      if (const char* legacy = std::getenv("APP_NAME")) config.apps = SplitList(legacy);
    }
    // Order kept (reports follow it), repeats dropped.
    std::vector<std::string> unique;
    for (auto& a : config.apps) {
      if (std::find(unique.begin(), unique.end(), a) == unique.end()) unique.push_back(a);
    }
    config.apps = std::move(unique);
    if (!config.device_group.empty()) {
      if (!config.apps.empty()) throw CLI::ValidationError("--device-group", "give --apps or --device-group, not both");
      if (auto problem = CheckApps({config.device_group}); !problem.empty()) {
        throw CLI::ValidationError("--device-group",
                                   "device group name \"" + config.device_group + "\" is not a DNS label");
      }
    } else if (auto problem = CheckApps(config.apps); !problem.empty()) {
      throw CLI::ValidationError("--apps", problem + " (or --device-group)");
    }
    if (config.worker_id.empty()) config.worker_id = Hostname();
    config.docker_config_explicit = !config.docker_config.empty();
    if (config.docker_config.empty()) {
      const char* home = std::getenv("HOME");
      config.docker_config = std::string(home ? home : "") + "/.docker/config.json";
    }
    for (const auto& entry : config.registry_auth) {
      try {
        ParseRegistryAuth(entry);
      } catch (const std::exception& e) {
        throw CLI::ValidationError("--registry-auth", e.what());
      }
    }
    for (const auto& s : kafka_settings) {
      const auto eq = s.find('=');
      if (eq == std::string::npos || eq == 0)
        throw CLI::ValidationError("--kafka-setting", "expected name=value: " + s);
      config.kafka_settings[s.substr(0, eq)] = s.substr(eq + 1);
    }
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  }
  return -1;
}

}  // namespace nebula::agent
