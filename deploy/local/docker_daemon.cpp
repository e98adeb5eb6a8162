#include "docker_daemon.h"

#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "readiness.h"
#include "stop_request.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A private dockerd whose supervisor was SIGKILLed gets SIGTERM and may still be shutting down (it stops
// running containers first); wait for it. A pid file whose process is gone, or is someone else now,
// would make dockerd refuse to start or dial a containerd that is not there: remove it.
void ClearStalePidFiles(const StackPaths& paths) {
  for (const fs::path& pid_file : {paths.docker / "dockerd.pid", paths.docker / "exec" / "containerd" / "containerd.pid"}) {
    std::ifstream in(pid_file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) continue;
    const auto ours = [&] {
      std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      return text.find(paths.docker.string()) != std::string::npos;
    };
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (ours() && std::chrono::steady_clock::now() < deadline) {
      ThrowIfStopRequested();
      std::this_thread::sleep_for(250ms);
    }
    if (ours()) {
      throw StartupError("a dockerd from an earlier run (pid " + std::to_string(pid) + ", see " + pid_file.string() +
                         ") still runs on " + paths.docker.string() + "; stop it first");
    }
    std::error_code ignored;
    fs::remove(pid_file, ignored);
  }
}

std::unique_ptr<ChildProcess> StartPrivateDockerd(const StackPaths& paths) {
  if (::geteuid() != 0) {
    throw StartupError("no dockerd answers at " + std::string(kDefaultDockerHost) +
                       " and starting a private one needs root; start Docker (systemctl start docker), "
                       "set DOCKER_HOST, or run as root");
  }
  const fs::path dockerd = FindDockerd();
  // containerd puts its sockets under the exec root; sun_path holds 107 characters.
  const fs::path longest_socket = paths.docker / "exec" / "containerd" / "containerd-debug.sock";
  if (longest_socket.string().size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw StartupError("the state dir path is too long for dockerd's sockets (" + longest_socket.string() +
                       "); use a shorter --state-dir");
  }
  fs::create_directories(paths.docker);
  ClearStalePidFiles(paths);
  std::error_code ignored;
  fs::remove(paths.docker / "docker.sock", ignored);  // a stale socket from a killed run
  const fs::path log = paths.Log("dockerd");
  AppendRunHeader(log);
  auto daemon = ChildProcess::Start(DockerdSpec(dockerd, paths.docker), log);
  const std::string host = PrivateDockerHost(paths.docker);
  WaitUntilReady(*daemon, {"GET /_ping on " + host, [&] { return DockerAnswers(host); }, 90s});
  return daemon;
}

}  // namespace

bool DockerAnswers(const std::string& host) {
  const auto status = HttpGetStatus(host, "/_ping");
  return status && *status == 200;
}

DockerConnection ConnectDocker(const UpOptions& options, const StackPaths& paths) {
  if (!options.docker_host.empty()) {
    if (!DockerAnswers(options.docker_host)) {
      throw StartupError("dockerd at " + options.docker_host +
                         " (DOCKER_HOST / --docker-host) does not answer GET /_ping; start it or unset DOCKER_HOST");
    }
    return {options.docker_host, nullptr};
  }
  if (DockerAnswers(kDefaultDockerHost)) return {kDefaultDockerHost, nullptr};
  auto daemon = StartPrivateDockerd(paths);
  return {PrivateDockerHost(paths.docker), std::move(daemon)};
}

ProcessSpec DockerCli(const Toolbox& tools, const std::string& host, std::vector<std::string> args) {
  return {"docker " + (args.empty() ? std::string() : args.front()), tools.docker, std::move(args),
          {{"DOCKER_HOST", host}}};
}

void RemoveStackContainers(const Toolbox& tools, const std::string& host, int agents, const StackPaths& paths) {
  const fs::path log = paths.Log("docker-cleanup");
  for (int i = 0; i < agents; ++i) {
    const std::string listing =
        RunAndCapture("listing containers of " + WorkerId(i),
                      DockerCli(tools, host,
                                {"ps", "-aq", "--filter", "label=dev.nebula.managed-by=nebula", "--filter",
                                 "label=dev.nebula.worker=" + WorkerId(i)}),
                      paths.logs / "docker-ps.out", 30s);
    std::vector<std::string> args{"rm", "-f"};
    std::istringstream ids(listing);
    for (std::string id; ids >> id;) args.push_back(id);
    if (args.size() > 2) RunOrThrow("removing containers of " + WorkerId(i), DockerCli(tools, host, args), log, 120s);
  }
}

}  // namespace nebula::devstack
