#include "stack_plan.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nebula::devstack {
namespace fs = std::filesystem;

namespace {

fs::path HomeBased(const EnvLookup& env, const std::string& xdg_var, const fs::path& home_relative) {
  if (auto xdg = env(xdg_var); xdg && !xdg->empty() && fs::path(*xdg).is_absolute()) return fs::path(*xdg);
  auto home = env("HOME");
  return fs::path(home && !home->empty() ? *home : "/") / home_relative;
}

bool IsAppName(const std::string& name) {
  if (name.empty() || name.size() > 63 || name.front() == '-' || name.back() == '-') return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}

// stack.env is read as plain KEY=VALUE lines (and sourced by shells), so values stay unquoted.
bool IsShellSafe(const std::string& text) {
  for (char c : text) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '"' || c == '\'' || c == '$' || c == '`' || c == '\\' || c == ';' ||
        c == '&' || c == '|' || c == '*' || c == '?') {
      return false;
    }
  }
  return true;
}

}  // namespace

fs::path DefaultStateDir(const EnvLookup& env) {
  return HomeBased(env, "XDG_STATE_HOME", ".local/state") / "nebula" / "devstack";
}

fs::path DefaultKafkaLibs(const EnvLookup& env) {
  return HomeBased(env, "XDG_CACHE_HOME", ".cache") / "nebula" / (std::string("kafka-") + kKafkaVersion) / "libs";
}

std::vector<std::string> SplitApps(const std::string& apps) {
  std::vector<std::string> out;
  std::stringstream in(apps);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

std::vector<std::string> ValidateUpOptions(const UpOptions& options) {
  std::vector<std::string> problems;
  if (options.state_dir.empty() || !options.state_dir.is_absolute()) {
    problems.push_back("--state-dir must be an absolute path");
  } else if (!IsShellSafe(options.state_dir.string())) {
    problems.push_back("--state-dir must not contain spaces, quotes or shell metacharacters");
  }
  if (options.agents < 0 || options.agents > kMaxAgents) {
    problems.push_back("--agents must be between 0 and " + std::to_string(kMaxAgents));
  }
  const StackPorts ports{options.port_base};
  const int highest = std::max(ports.Registry(), ports.Agent(std::max(options.agents - 1, 0)));
  if (options.port_base < 1024 || highest > 65535) {
    problems.push_back("--port-base must leave every port in 1025..65535 (highest needed: " + std::to_string(highest) +
                       ")");
  }
  const auto apps = SplitApps(options.apps);
  if (apps.empty()) problems.push_back("--apps must name at least one app");
  for (const auto& app : apps) {
    if (!IsAppName(app)) {
      problems.push_back("--apps: '" + app + "' is not an app name (lowercase letters, digits and '-')");
    }
  }
  if (options.kafka_libs.empty()) problems.push_back("--kafka-libs must not be empty");
  return problems;
}

std::vector<std::pair<std::string, int>> StackPorts::All(int agents, bool api_manager) const {
  std::vector<std::pair<std::string, int>> ports{{"PostgreSQL", Postgres()},
                                                 {"Kafka", Kafka()},
                                                 {"Kafka controller", KafkaController()},
                                                 {"registry", Registry()}};
  if (api_manager) {
    ports.emplace_back("api-manager", ApiManager());
    ports.emplace_back("gateway", Gateway());
  }
  for (int i = 0; i < agents; ++i) ports.emplace_back("worker agent " + WorkerId(i), Agent(i));
  return ports;
}

std::string EphemeralPortsWarning(const UpOptions& options, int first_ephemeral, int last_ephemeral) {
  const StackPorts ports{options.port_base};
  std::string inside;
  int highest = 0;
  for (const auto& [what, port] : ports.All(options.agents, options.api_manager)) {
    highest = std::max(highest, port);
    if (port < first_ephemeral || port > last_ephemeral) continue;
    inside += (inside.empty() ? "" : ", ") + std::to_string(port) + " (" + what + ")";
  }
  if (inside.empty()) return "";
  return "ports " + inside + " lie in the kernel's ephemeral port range " + std::to_string(first_ephemeral) + "-" +
         std::to_string(last_ephemeral) +
         " (net.ipv4.ip_local_port_range): an outgoing connection may take one "
         "before its service binds it. A --port-base of at most " +
         std::to_string(first_ephemeral - 1 - (highest - options.port_base)) + " avoids that (the default is " +
         std::to_string(kDefaultPortBase) + ")";
}

StackPaths::StackPaths(const fs::path& state_dir)
    : state(state_dir),
      logs(state_dir / "logs"),
      lock_file(state_dir / "devstack.lock"),
      pid_file(state_dir / "devstack.pid"),
      stack_env(state_dir / "stack.env"),
      keep_containers_marker(state_dir / "keep-containers"),
      postgres(state_dir / "postgres"),
      kafka(state_dir / "kafka"),
      registry(state_dir / "registry"),
      image(state_dir / "image"),
      docker(state_dir / "docker"),
      keys(state_dir / "keys") {}

std::string WorkerId(int index) { return "devstack-" + std::to_string(index); }

std::string Loopback(int port) { return "127.0.0.1:" + std::to_string(port); }

std::string DatabaseUrl(const StackPorts& ports) {
  return "postgresql://postgres@" + Loopback(ports.Postgres()) + "/nebula";
}

std::string SampleImage(const StackPorts& ports) { return Loopback(ports.Registry()) + "/nebula/hello:1"; }

ProcessSpec PostgresSpec(const fs::path& postgres_bin, const fs::path& data_dir, const fs::path& socket_dir,
                         const StackPorts& ports) {
  // SIGINT is PostgreSQL's "fast" shutdown; SIGTERM ("smart") would wait for every client to leave.
  return {"postgres",
          postgres_bin / "postgres",
          {"-D", data_dir.string(), "-p", std::to_string(ports.Postgres()), "-k", socket_dir.string(), "-c",
           "listen_addresses=127.0.0.1"},
          {},
          SIGINT,
          data_dir.parent_path()};
}

ProcessSpec KafkaSpec(const fs::path& java, const fs::path& kafka_libs, const fs::path& kafka_dir) {
  return {"kafka",
          java,
          {"-Xms512m", "-Xmx512m", "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
           "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true",
           "-Dlog4j.configuration=file:" + (kafka_dir / "log4j.properties").string(),
           "-Dkafka.logs.dir=" + (kafka_dir / "logs").string(), "-cp", (kafka_libs / "*").string(), "kafka.Kafka",
           (kafka_dir / "server.properties").string()},
          {},
          SIGTERM,
          kafka_dir};
}

ProcessSpec KafkaFormatSpec(const fs::path& java, const fs::path& kafka_libs, const fs::path& kafka_dir,
                            const std::string& cluster_id) {
  return {"kafka-format",
          java,
          {"-Xmx256m", "-Dlog4j.configuration=file:" + (kafka_dir / "log4j.properties").string(), "-cp",
           (kafka_libs / "*").string(), "kafka.tools.StorageTool", "format", "--cluster-id=" + cluster_id, "-c",
           (kafka_dir / "server.properties").string(), "--ignore-formatted"},
          {},
          SIGTERM,
          kafka_dir};
}

std::string PrivateDockerHost(const fs::path& docker_dir) { return "unix://" + (docker_dir / "docker.sock").string(); }

ProcessSpec DockerdSpec(const fs::path& dockerd, const fs::path& docker_dir, const PrivateDockerdOptions& options) {
  // Own containerd namespaces, so a system containerd shared with another dockerd never mixes containers.
  // A second dockerd must leave the system one's docker0 and iptables chains alone: its own bridge, and
  // no iptables, masquerading or ip_forward (loopback traffic only; docker-proxy publishes the ports).
  ProcessSpec spec{"dockerd",
                   dockerd,
                   {"--data-root",
                    (docker_dir / "data").string(),
                    "--exec-root",
                    (docker_dir / "exec").string(),
                    "--pidfile",
                    (docker_dir / "dockerd.pid").string(),
                    "-H",
                    PrivateDockerHost(docker_dir),
                    "--config-file",
                    (docker_dir / "daemon.json").string(),
                    "--containerd-namespace",
                    "nebula-devstack",
                    "--containerd-plugins-namespace",
                    "nebula-devstack-plugins",
                    "--bridge",
                    options.bridge.empty() ? "none" : options.bridge,
                    "--iptables=false",
                    "--ip-masq=false",
                    "--ip-forward=false",
                    "--userland-proxy=true"},
                   {},
                   SIGTERM};
  if (options.live_restore) spec.args.push_back("--live-restore");
  return spec;
}

ProcessSpec RegistrySpec(const fs::path& docker_registry, const fs::path& registry_dir) {
  return {"registry", docker_registry, {"serve", (registry_dir / "config.yml").string()}, {}, SIGTERM, registry_dir};
}

ProcessSpec ApiManagerSpec(const fs::path& bin_dir, const StackPorts& ports, const std::string& admin_token,
                           const fs::path& signing_key) {
  ProcessSpec spec{"api-manager",
                   bin_dir / "nebula-api-manager",
                   {"--listen", Loopback(ports.ApiManager()), "--database-url", DatabaseUrl(ports), "--kafka-brokers",
                    Loopback(ports.Kafka())},
                   {},
                   SIGTERM};
  if (!admin_token.empty()) {
    spec.args.insert(spec.args.end(), {"--auth", "required"});
    spec.env["NEBULA_BOOTSTRAP_ADMIN_TOKEN"] = admin_token;
  }
  if (!signing_key.empty()) spec.args.insert(spec.args.end(), {"--signing-key-file", signing_key.string()});
  return spec;
}

std::string GenerateAdminToken() {
  std::ifstream random("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!random.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    throw std::runtime_error("cannot read /dev/urandom for the bootstrap admin token");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token = "devstack.";
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

ProcessSpec GatewaySpec(const fs::path& bin_dir, const StackPorts& ports) {
  return {"gateway",
          bin_dir / "nebula-gateway",
          {"--listen", Loopback(ports.Gateway()), "--upstream", Loopback(ports.ApiManager())},
          {},
          SIGTERM};
}

ProcessSpec AgentSpec(const fs::path& bin_dir, const StackPorts& ports, int index, const std::string& apps,
                      const std::string& docker_host, const fs::path& trusted_keys) {
  ProcessSpec spec{
      "worker-agent-" + std::to_string(index),
      bin_dir / "nebula-worker-agent",
      {"--apps", apps, "--worker-id", WorkerId(index), "--kafka-brokers", Loopback(ports.Kafka()), "--docker-host",
       docker_host, "--listen", Loopback(ports.Agent(index)), "--default-host-ip", "127.0.0.1"},
      {},
      SIGTERM};
  if (!trusted_keys.empty()) spec.args.insert(spec.args.end(), {"--trusted-keys", trusted_keys.string()});
  return spec;
}

std::string RenderStackEnv(const StackEnv& env) {
  std::ostringstream out;
  // With --agents 0 the agent endpoint and worker id still name the slot reserved for a first agent,
  // so a test can start its own agent there.
  out << "NEBULA_ENDPOINT=" << Loopback(env.ports.ApiManager()) << "\n"
      << "NEBULA_AGENT_ENDPOINT=" << Loopback(env.ports.Agent(0)) << "\n"
      << "NEBULA_DATABASE_URL=" << DatabaseUrl(env.ports) << "\n"
      << "NEBULA_KAFKA_BROKERS=" << Loopback(env.ports.Kafka()) << "\n"
      << "DOCKER_HOST=" << env.docker_host << "\n"
      << "NEBULA_REGISTRY=" << Loopback(env.ports.Registry()) << "\n"
      << "NEBULA_SAMPLE_IMAGE=" << SampleImage(env.ports) << "\n"
      << "NEBULA_WORKER_ID=" << WorkerId(0) << "\n"
      << "NEBULA_STATE_DIR=" << env.state_dir.string() << "\n"
      << "NEBULA_AGENTS=" << env.agents << "\n"
      << "NEBULA_GATEWAY_URL=http://" << Loopback(env.ports.Gateway()) << "\n";
  if (!env.token.empty()) out << "NEBULA_TOKEN=" << env.token << "\n";
  if (!env.trusted_keys.empty()) out << "NEBULA_TRUSTED_KEYS=" << env.trusted_keys.string() << "\n";
  if (!env.signing_key.empty()) out << "NEBULA_SIGNING_KEY_FILE=" << env.signing_key.string() << "\n";
  return out.str();
}

std::map<std::string, std::string> ParseStackEnv(const std::string& text) {
  std::map<std::string, std::string> values;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos || eq == 0) continue;
    values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

std::string RenderReadySummary(const StackEnv& env, const std::string& apps, const std::string& cli_path,
                               bool api_manager) {
  const auto& ports = env.ports;
  const std::string first_app = SplitApps(apps).empty() ? "hello" : SplitApps(apps).front();
  std::ostringstream out;
  out << "\nNebula dev stack is up. State dir " << env.state_dir.string() << ", logs in "
      << (env.state_dir / "logs").string() << "\n";
  if (api_manager) {
    out << "  api-manager    " << Loopback(ports.ApiManager()) << " (gRPC)\n"
        << "  gateway        http://" << Loopback(ports.Gateway()) << " (REST/JSON, /openapi.json)\n";
  }
  for (int i = 0; i < env.agents; ++i) {
    out << "  worker agent   " << WorkerId(i) << " at " << Loopback(ports.Agent(i)) << " (apps: " << apps << ")\n";
  }
  if (env.agents == 0) out << "  worker agents  none (--agents 0)\n";
  out << "  PostgreSQL     " << DatabaseUrl(ports) << "\n"
      << "  Kafka          " << Loopback(ports.Kafka()) << "\n"
      << "  registry       " << Loopback(ports.Registry()) << " (sample image " << SampleImage(ports) << ")\n"
      << "  dockerd        " << env.docker_host << "\n"
      << "  client env     " << (env.state_dir / "stack.env").string() << "\n";
  if (api_manager) {
    out << "\nDeploy a first app:\n"
        << "  NEBULA_ENDPOINT=" << Loopback(ports.ApiManager()) << " " << cli_path << " apps create " << first_app
        << " --image " << SampleImage(ports) << " --containers 3 --port 8080:80 --env GREETING=hi\n"
        << "  curl 127.0.0.1:8080\n";
  }
  return out.str();
}

}  // namespace nebula::devstack
