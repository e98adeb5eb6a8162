#include "docker_daemon.h"

#include <sys/un.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "private_bridge.h"
#include "readiness.h"
#include "stop_request.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

// A private dockerd whose supervisor was SIGKILLed gets SIGTERM and may still be shutting down (it stops
// running containers first); wait for it. A pid file whose process is gone, or is someone else now,
// would make dockerd refuse to start or dial a containerd that is not there: remove it.
void ClearStalePidFiles(const fs::path& docker_dir) {
  for (const fs::path& pid_file : {docker_dir / "dockerd.pid", docker_dir / "exec" / "containerd" / "containerd.pid"}) {
    std::ifstream in(pid_file);
    long pid = 0;
    if (!(in >> pid) || pid <= 0) continue;
    const auto ours = [&] {
      std::ifstream cmdline("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
      const std::string text((std::istreambuf_iterator<char>(cmdline)), std::istreambuf_iterator<char>());
      return text.find(docker_dir.string()) != std::string::npos;
    };
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (ours() && std::chrono::steady_clock::now() < deadline) {
      ThrowIfStopRequested();
      std::this_thread::sleep_for(250ms);
    }
    if (ours()) {
      throw StartupError("a dockerd from an earlier run (pid " + std::to_string(pid) + ", see " + pid_file.string() +
                         ") still runs on " + docker_dir.string() + "; stop it first");
    }
    std::error_code ignored;
    fs::remove(pid_file, ignored);
  }
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

fs::path FindIp() {
  fs::path ip = FindOnPath("ip");
  for (const char* candidate : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
    if (ip.empty() && fs::exists(candidate)) ip = candidate;
  }
  if (ip.empty()) throw StartupError("a private dockerd needs ip for its bridge; install it: apt-get install iproute2");
  return ip;
}

void Ip(const fs::path& ip, std::vector<std::string> args, const fs::path& log) {
  const std::string what = "ip " + (args.empty() ? std::string() : args[0] + " " + (args.size() > 1 ? args[1] : ""));
  RunOrThrow(what, {"ip", ip, std::move(args)}, log, 10s);
}

bool LinkExists(const std::string& name) { return fs::exists(fs::path("/sys/class/net") / name); }

// Bridges of private dockerds whose dir is gone (a test binary that crashed, a state dir deleted by
// hand) would pile up: each carries its docker dir as its interface alias.
void RemoveOrphanedBridges(const fs::path& ip, const fs::path& log) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/sys/class/net", ec)) {
    const std::string name = entry.path().filename();
    if (name.rfind(kPrivateBridgePrefix, 0) != 0) continue;
    const fs::path owner = Trimmed(ReadText(entry.path() / "ifalias"));
    if (owner.empty() || !owner.is_absolute() || fs::exists(owner)) continue;
    RunToCompletion({"ip", ip, {"link", "del", name}}, log, 10s);
  }
}

std::string EnsurePrivateBridge(const fs::path& docker_dir, const fs::path& log) {
  const fs::path ip = FindIp();
  RemoveOrphanedBridges(ip, log);
  const std::string name = PrivateBridgeName(docker_dir);
  if (LinkExists(name)) {  // kept from the previous run on this dir (containers may still use it)
    Ip(ip, {"link", "set", "dev", name, "up"}, log);
    return name;
  }
  const auto routes = ParseProcNetRoute(ReadText("/proc/net/route"));
  const fs::path cidr_file = docker_dir / "bridge.cidr";
  // The same subnet as last time when it is still free, so restarted containers keep their addresses.
  std::optional<Ipv4Net> address = ParseCidr(Trimmed(ReadText(cidr_file)));
  for (const auto& route : routes) {
    if (address && Overlaps(*address, route)) address.reset();
  }
  if (!address) address = ChooseBridgeAddress(docker_dir, routes);
  if (!address) throw StartupError("no free /24 in 10.208.0.0/12 for a private dockerd's bridge");
  Ip(ip, {"link", "add", "name", name, "type", "bridge"}, log);
  try {
    Ip(ip, {"link", "set", "dev", name, "alias", docker_dir.string()}, log);
    Ip(ip, {"addr", "add", FormatCidr(*address), "dev", name}, log);
    Ip(ip, {"link", "set", "dev", name, "up"}, log);
  } catch (...) {
    RunToCompletion({"ip", ip, {"link", "del", name}}, log, 10s);
    throw;
  }
  std::ofstream(cidr_file) << FormatCidr(*address) << "\n";
  return name;
}

}  // namespace

std::unique_ptr<ChildProcess> StartPrivateDockerd(const fs::path& docker_dir, const fs::path& log, bool live_restore) {
  if (::geteuid() != 0) {
    throw StartupError("a private dockerd (no dockerd answers at " + std::string(kDefaultDockerHost) +
                       ", or --private-docker) needs root; start Docker (systemctl start docker), set DOCKER_HOST, "
                       "or run as root");
  }
  const fs::path dockerd = FindDockerd();
  // containerd puts its sockets under the exec root; sun_path holds 107 characters.
  const fs::path longest_socket = docker_dir / "exec" / "containerd" / "containerd-debug.sock";
  if (longest_socket.string().size() >= sizeof(sockaddr_un{}.sun_path)) {
    throw StartupError("the state dir path is too long for dockerd's sockets (" + longest_socket.string() +
                       "); use a shorter --state-dir");
  }
  fs::create_directories(docker_dir);
  ClearStalePidFiles(docker_dir);
  std::error_code ignored;
  fs::remove(docker_dir / "docker.sock", ignored);  // a stale socket from a killed run
  // Our own (empty) daemon.json: a system /etc/docker/daemon.json may name hosts, bridges or pools that
  // belong to the system dockerd.
  if (!fs::exists(docker_dir / "daemon.json")) std::ofstream(docker_dir / "daemon.json") << "{}\n";
  AppendRunHeader(log);
  const std::string bridge = EnsurePrivateBridge(docker_dir, log);
  std::unique_ptr<ChildProcess> daemon;
  try {
    daemon = ChildProcess::Start(DockerdSpec(dockerd, docker_dir, {bridge, live_restore}), log);
    const std::string host = PrivateDockerHost(docker_dir);
    WaitUntilReady(*daemon, {"GET /_ping on " + host, [&] { return DockerAnswers(host); }, 90s});
  } catch (...) {
    if (daemon) daemon->Stop(60s);
    RemovePrivateBridge(docker_dir, log);
    throw;
  }
  return daemon;
}

void RemovePrivateBridge(const fs::path& docker_dir, const fs::path& log) {
  const std::string name = PrivateBridgeName(docker_dir);
  if (LinkExists(name)) RunToCompletion({"ip", FindIp(), {"link", "del", name}}, log, 10s);
}

bool DockerAnswers(const std::string& host) {
  const auto status = HttpGetStatus(host, "/_ping");
  return status && *status == 200;
}

DockerConnection ConnectDocker(const UpOptions& options, const StackPaths& paths) {
  if (!options.private_docker) {
    if (!options.docker_host.empty()) {
      if (!DockerAnswers(options.docker_host)) {
        throw StartupError("dockerd at " + options.docker_host +
                           " (DOCKER_HOST / --docker-host) does not answer GET /_ping; start it or unset DOCKER_HOST");
      }
      return {options.docker_host, nullptr};
    }
    if (DockerAnswers(kDefaultDockerHost)) return {kDefaultDockerHost, nullptr};
  }
  auto daemon = StartPrivateDockerd(paths.docker, paths.Log("dockerd"));
  return {PrivateDockerHost(paths.docker), std::move(daemon)};
}

ProcessSpec DockerCli(const Toolbox& tools, const std::string& host, std::vector<std::string> args) {
  return {"docker " + (args.empty() ? std::string() : args.front()),
          tools.docker,
          std::move(args),
          {{"DOCKER_HOST", host}}};
}

void RemoveStackContainers(const Toolbox& tools, const std::string& host, int agents, const StackPaths& paths) {
  const fs::path log = paths.Log("docker-cleanup");
  for (int i = 0; i < agents; ++i) {
    const std::string listing = RunAndCapture("listing containers of " + WorkerId(i),
                                              DockerCli(tools, host,
                                                        {"ps", "-aq", "--filter", "label=dev.nebula.managed-by=nebula",
                                                         "--filter", "label=dev.nebula.worker=" + WorkerId(i)}),
                                              paths.logs / "docker-ps.out", 30s);
    std::vector<std::string> args{"rm", "-f"};
    std::istringstream ids(listing);
    for (std::string id; ids >> id;) args.push_back(id);
    if (args.size() > 2) RunOrThrow("removing containers of " + WorkerId(i), DockerCli(tools, host, args), log, 120s);
  }
}

}  // namespace nebula::devstack
