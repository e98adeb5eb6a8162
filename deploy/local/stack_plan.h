// What the dev stack runs, derived purely from the options: ports, paths, endpoints and the argv of
// every long-running child. No I/O here, so every decision is unit-testable.
#pragma once

#include <csignal>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace nebula::devstack {

// Below the kernel's ephemeral range (32768-60999 on Linux): there an outgoing connection (the
// api-manager's to Kafka, say) may be given a port before the service that owns it binds it.
inline constexpr int kDefaultPortBase = 20050;
inline constexpr int kFirstEphemeralPort = 32768;  // Linux's default net.ipv4.ip_local_port_range
inline constexpr int kLastEphemeralPort = 60999;
inline constexpr int kMaxAgents = 32;
inline constexpr const char* kKafkaVersion = "3.9.1";
inline constexpr const char* kDefaultPostgresBin = "/usr/lib/postgresql/15/bin";
inline constexpr const char* kDefaultDockerHost = "unix:///var/run/docker.sock";

struct UpOptions {
  std::filesystem::path state_dir;
  int port_base = kDefaultPortBase;
  int agents = 1;
  std::string apps = "hello";
  std::filesystem::path kafka_libs;
  std::filesystem::path postgres_bin = kDefaultPostgresBin;
  std::string docker_host;  // empty: DOCKER_HOST, else the system socket, else a private dockerd
  bool keep_containers = false;
  bool detach = false;
  bool api_manager = true;      // false: infrastructure only (tests that run their own api-manager)
  std::string auth = "none";    // the api-manager's --auth; "required": a bootstrap admin token in stack.env
  bool private_docker = false;  // always a dockerd of our own (tests that prune images), even if one answers
};

// Environment lookups are injected so default resolution stays pure.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;

// ${XDG_STATE_HOME:-$HOME/.local/state}/nebula/devstack
std::filesystem::path DefaultStateDir(const EnvLookup& env);
// ${XDG_CACHE_HOME:-$HOME/.cache}/nebula/kafka-3.9.1/libs
std::filesystem::path DefaultKafkaLibs(const EnvLookup& env);

// One message per problem; empty when the options are usable.
std::vector<std::string> ValidateUpOptions(const UpOptions& options);

std::vector<std::string> SplitApps(const std::string& apps);

struct StackPorts {
  int base = kDefaultPortBase;
  int ApiManager() const { return base + 1; }
  int Postgres() const { return base + 3; }
  int Kafka() const { return base + 4; }
  int KafkaController() const { return base + 5; }
  int Registry() const { return base + 6; }
  int Gateway() const { return base + 7; }
  // The first agent keeps B+2 (the contract); later ones go past the gateway so they never collide
  // with PostgreSQL, Kafka, the registry or the gateway.
  int Agent(int index) const { return index == 0 ? base + 2 : base + 7 + index; }
  // Every port the stack listens on, for the "is it free" preflight.
  std::vector<std::pair<std::string, int>> All(int agents, bool api_manager) const;
};

// "" when no port of the stack lies in [first_ephemeral, last_ephemeral] (the kernel's range for
// outgoing connections, which may take such a port before its service binds it); else a warning naming
// the ports and the highest --port-base that avoids them.
std::string EphemeralPortsWarning(const UpOptions& options, int first_ephemeral, int last_ephemeral);

struct StackPaths {
  explicit StackPaths(const std::filesystem::path& state_dir);
  std::filesystem::path state;
  std::filesystem::path logs;
  std::filesystem::path lock_file;
  std::filesystem::path pid_file;
  std::filesystem::path stack_env;
  std::filesystem::path keep_containers_marker;  // written by `down --keep-containers`
  std::filesystem::path postgres;
  std::filesystem::path kafka;
  std::filesystem::path registry;
  std::filesystem::path image;
  std::filesystem::path docker;
  std::filesystem::path keys;  // the stack's record-signing key pair (signing_keys.h)
  std::filesystem::path Log(const std::string& name) const { return logs / (name + ".log"); }
};

// A long-running child: what to exec and how to ask it to stop.
struct ProcessSpec {
  std::string name;  // display name and log file stem
  std::filesystem::path program;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;  // added to the supervisor's environment
  int stop_signal = SIGTERM;
  std::filesystem::path working_dir;  // empty: the supervisor's
};

std::string WorkerId(int index);
std::string Loopback(int port);
std::string DatabaseUrl(const StackPorts& ports);
std::string SampleImage(const StackPorts& ports);

ProcessSpec PostgresSpec(const std::filesystem::path& postgres_bin, const std::filesystem::path& data_dir,
                         const std::filesystem::path& socket_dir, const StackPorts& ports);
ProcessSpec KafkaSpec(const std::filesystem::path& java, const std::filesystem::path& kafka_libs,
                      const std::filesystem::path& kafka_dir);
ProcessSpec KafkaFormatSpec(const std::filesystem::path& java, const std::filesystem::path& kafka_libs,
                            const std::filesystem::path& kafka_dir, const std::string& cluster_id);
// A private dockerd: everything under docker_dir, containers on `bridge` (created beforehand), no
// iptables or sysctl changes (published ports go through docker-proxy), no /etc/docker/daemon.json.
struct PrivateDockerdOptions {
  std::string bridge;         // empty: --bridge=none (containers get no network but loopback)
  bool live_restore = false;  // containers keep running while dockerd is down
};
ProcessSpec DockerdSpec(const std::filesystem::path& dockerd, const std::filesystem::path& docker_dir,
                        const PrivateDockerdOptions& options);
std::string PrivateDockerHost(const std::filesystem::path& docker_dir);
ProcessSpec RegistrySpec(const std::filesystem::path& docker_registry, const std::filesystem::path& registry_dir);
// admin_token non-empty: --auth required with that bootstrap admin token (passed in the environment,
// so it never shows in `ps`).
// signing_key non-empty: every record it publishes is signed (--signing-key-file).
ProcessSpec ApiManagerSpec(const std::filesystem::path& bin_dir, const StackPorts& ports,
                           const std::string& admin_token = "", const std::filesystem::path& signing_key = {});
// "devstack.<64 hex characters>" from the OS CSPRNG (/dev/urandom).
std::string GenerateAdminToken();
ProcessSpec GatewaySpec(const std::filesystem::path& bin_dir, const StackPorts& ports);
// trusted_keys non-empty: the agent applies only records signed by those keys (--trusted-keys).
ProcessSpec AgentSpec(const std::filesystem::path& bin_dir, const StackPorts& ports, int index, const std::string& apps,
                      const std::string& docker_host, const std::filesystem::path& trusted_keys = {});

// The values a client needs, written to <state-dir>/stack.env once everything is ready.
struct StackEnv {
  StackPorts ports;
  std::filesystem::path state_dir;
  std::string docker_host;
  int agents = 1;
  std::string token;                   // NEBULA_TOKEN (--auth required only); stack.env is mode 0600
  std::filesystem::path trusted_keys;  // NEBULA_TRUSTED_KEYS: what the stack's agents trust
  std::filesystem::path signing_key;   // NEBULA_SIGNING_KEY_FILE: for more api-manager replicas
};
std::string RenderStackEnv(const StackEnv& env);
// KEY=VALUE lines back into a map (blank lines and '#' comments skipped).
std::map<std::string, std::string> ParseStackEnv(const std::string& text);

// The "what now" text printed when the stack is ready. cli_path is how the user reaches `nebula`.
std::string RenderReadySummary(const StackEnv& env, const std::string& apps, const std::string& cli_path,
                               bool api_manager);

}  // namespace nebula::devstack
