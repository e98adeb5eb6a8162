// Test support: the real stack (PostgreSQL, Kafka, dockerd, registry, api-manager) started through
// nebula-devstack, the same supervisor a user runs, plus small process helpers for tests.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nebula::testing {

struct StackInfo {
  std::string endpoint;  // api-manager gRPC, host:port
  std::string database_url;
  std::string kafka_brokers;
  std::string docker_host;   // unix:///path
  std::string registry;      // host:port
  std::string sample_image;  // pushed to the registry, present in dockerd
  std::string state_dir;
  std::string bin_dir;  // where nebula, nebula-api-manager, nebula-worker-agent live
  int port_base = 0;
  std::string token;         // NEBULA_TOKEN: the bootstrap admin token of an auth-required stack, else empty
  std::string trusted_keys;  // public key file of the key the stack's api-manager signs records with
  std::string signing_key;   // that key's secret file, for api-manager replicas a test starts

  // Environment for child processes (DOCKER_HOST, NEBULA_ENDPOINT, NEBULA_TOKEN if set, ...).
  std::map<std::string, std::string> Env() const;
};

enum class StackAuth { kNone, kRequired };

// Starts `nebula-devstack up --agents 0` in a fresh state dir once per test process and stops it at
// exit. Throws (failing the test) with the supervisor's log tail if the stack does not come up.
// StackAuth::kRequired runs the api-manager with --auth required (admin token in StackInfo::token);
// every call in one test binary must ask for the same mode (else it throws).
const StackInfo& SharedStack(StackAuth auth = StackAuth::kNone);

// Makes this binary's SharedStack run a dockerd of its own (`nebula-devstack up --private-docker`): for
// binaries whose agents prune images (a prune removes every unused image of the dockerd, also images
// other tests running in parallel are about to use). Call it before the first SharedStack(), e.g. from a
// namespace-scope initializer; returns true. Throws if the stack already runs on the shared dockerd.
bool UsePrivateDockerd();

// A free block of ports for things a test starts itself (agents, ...), disjoint from the stack's.
int TestPort(int offset);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (a path, or a name looked up on PATH) to completion with extra env vars.
CommandResult Run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
                  std::chrono::seconds timeout = std::chrono::seconds(120));

// The stack's `nebula` CLI and the `docker` CLI, with the stack's endpoint and DOCKER_HOST.
CommandResult RunNebula(std::vector<std::string> args);
CommandResult RunDocker(std::vector<std::string> args);

// Removes (docker rm -f) every container labelled dev.nebula.worker=worker when it goes out of scope:
// the containers of an agent a test started outlive that agent, as they should.
struct RemoveContainersOfWorker {
  ~RemoveContainersOfWorker();
  std::string worker;
};

// Polls pred until it is true or the timeout passes; returns the last result.
bool Eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(250));

// A long-running child (e.g. a worker agent) with its output in a log file; SIGTERM on Stop() and
// in the destructor. The child dies with the test process (PR_SET_PDEATHSIG).
class BackgroundProcess {
 public:
  BackgroundProcess(std::vector<std::string> argv, std::map<std::string, std::string> env, std::string log_path);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  bool Running();
  int pid() const;  // 0 once stopped
  // SIGTERM, then SIGKILL after the grace period. Returns the exit code (or 128+signal).
  int Stop(std::chrono::seconds grace = std::chrono::seconds(20));
  const std::string& log_path() const { return log_path_; }
  std::string LogTail(size_t bytes = 4000) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string log_path_;
};

// The pid of a running process whose command line (its arguments joined by spaces) contains every one
// of parts, e.g. {"nebula-api-manager", "--listen 127.0.0.1:21001"}; 0 when there is none.
int FindProcess(const std::vector<std::string>& parts);

std::string ReadFile(const std::string& path);
std::string Tail(const std::string& text, size_t bytes);

}  // namespace nebula::testing
