// nebula-devstack: the local Nebula stack (PostgreSQL, Kafka, dockerd, registry, api-manager, agents)
// under one supervisor. See docs/local-stack.md.
#include <CLI/CLI.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "child_process.h"
#include "stack_plan.h"
#include "supervisor.h"

namespace fs = std::filesystem;
using namespace nebula::devstack;

namespace {

std::optional<std::string> GetEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value) return std::nullopt;
  return std::string(value);
}

// Siblings (nebula-api-manager, nebula-worker-agent) are found next to our own binary.
fs::path OwnBinDir() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : self.parent_path();
}

fs::path Absolute(const fs::path& path) { return path.empty() ? path : fs::absolute(path).lexically_normal(); }

}  // namespace

int main(int argc, char** argv) {
  // A caller may start us with stdin closed; the next open() would then land on fd 0 and be clobbered
  // when children get /dev/null as stdin. Keep 0-2 occupied.
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1) ::open("/dev/null", O_RDWR);
  }
  CLI::App app{
      "nebula-devstack: runs a local Nebula stack (PostgreSQL, Kafka, dockerd, an image registry, "
      "nebula-api-manager and worker agents) under one supervisor"};
  app.require_subcommand(1);

  UpOptions up_options;
  up_options.state_dir = DefaultStateDir(GetEnv);
  up_options.kafka_libs = DefaultKafkaLibs(GetEnv);
  std::string state_dir = up_options.state_dir.string();
  std::string kafka_libs = up_options.kafka_libs.string();
  std::string postgres_bin = up_options.postgres_bin.string();
  bool no_api_manager = false;

  auto* up = app.add_subcommand("up", "start the stack and supervise it until Ctrl-C, SIGTERM or `down`");
  up->add_option("--state-dir", state_dir, "data, configs, logs and stack.env of this stack")
      ->envname("NEBULA_DEVSTACK_STATE_DIR")
      ->capture_default_str();
  up->add_option("--port-base", up_options.port_base,
                 "B: api-manager B+1, first agent B+2, PostgreSQL B+3, Kafka B+4 (controller B+5), registry B+6")
      ->envname("NEBULA_DEVSTACK_PORT_BASE")
      ->capture_default_str();
  up->add_option("--agents", up_options.agents, "worker agents to run (0: none, for tests that run their own)")
      ->capture_default_str();
  up->add_option("--apps", up_options.apps, "the agents' app list (comma-separated)")->capture_default_str();
  up->add_option("--kafka-libs", kafka_libs, "directory with the Kafka 3.9.1 broker jars")
      ->envname("NEBULA_KAFKA_LIBS")
      ->capture_default_str();
  up->add_option("--postgres-bin", postgres_bin, "PostgreSQL 15 bin directory")
      ->envname("NEBULA_POSTGRES_BIN")
      ->capture_default_str();
  up->add_option("--docker-host", up_options.docker_host,
                 "dockerd to use (default: DOCKER_HOST, else unix:///var/run/docker.sock if it answers, else a "
                 "private dockerd in the state dir)")
      ->envname("DOCKER_HOST");
  up->add_flag("--private-docker", up_options.private_docker,
               "start a dockerd of our own (data, sockets and a bridge of its own under the state dir) even when "
               "one answers; DOCKER_HOST is ignored. For tests that prune images or restart dockerd. Needs root");
  up->add_flag("--keep-containers", up_options.keep_containers,
               "leave the agents' containers running when the stack stops");
  up->add_flag("--detach", up_options.detach,
               "return once the stack is ready; the supervisor keeps running in the background");
  up->add_option("--auth", up_options.auth,
                 "the api-manager's --auth: none (every caller is an admin) or required (a bootstrap admin token "
                 "is generated and written to stack.env as NEBULA_TOKEN, mode 0600)")
      ->check(CLI::IsMember({"none", "required"}))
      ->capture_default_str();
  up->add_flag("--no-api-manager", no_api_manager,
               "start only PostgreSQL, Kafka, dockerd, the registry and the sample image (and agents, if any)");

  std::string down_state_dir = state_dir;
  bool down_keep_containers = false;
  int down_timeout = 180;
  auto* down = app.add_subcommand("down", "stop the stack running from a state dir and wait until it is gone");
  down->add_option("--state-dir", down_state_dir, "state dir of the stack to stop")
      ->envname("NEBULA_DEVSTACK_STATE_DIR")
      ->capture_default_str();
  down->add_flag("--keep-containers", down_keep_containers, "leave the agents' containers running");
  down->add_option("--timeout", down_timeout, "seconds to wait for the supervisor to finish")->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  try {
    if (up->parsed()) {
      up_options.state_dir = Absolute(state_dir);
      up_options.kafka_libs = Absolute(kafka_libs);
      up_options.postgres_bin = Absolute(postgres_bin);
      up_options.api_manager = !no_api_manager;
      return RunUp(up_options, OwnBinDir());
    }
    return RunDown(Absolute(down_state_dir), down_keep_containers, std::chrono::seconds(down_timeout));
  } catch (const std::exception& e) {
    std::fprintf(stdout, "nebula-devstack: error: %s\n", e.what());
    return 1;
  }
}
