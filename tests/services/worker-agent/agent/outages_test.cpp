// Outages with the agent binary on a stack of its own (this binary's SharedStack):
//  - Kafka down (the broker SIGSTOPped): the agent touches no container, through several resyncs;
//  - dockerd away and back (the agent reaches dockerd through a unix-socket proxy this test stops
//    and starts again, so the shared dockerd itself never restarts): a container removed meanwhile
//    is put back once dockerd answers again, the others are left alone.
#include <catch2/catch.hpp>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "stack_fixture.h"

using nebula::testing::BackgroundProcess;
using nebula::testing::Eventually;
using nebula::testing::SharedStack;
using nebula::testing::TestPort;
using namespace std::chrono_literals;

namespace {

nebula::testing::CommandResult Docker(std::vector<std::string> args) {
  return nebula::testing::RunDocker(std::move(args));
}

// "id state startedAt" of every container of the worker, sorted ("changing" when a container
// vanished between listing and inspecting).
std::string Snapshot(const std::string& worker) {
  auto ids = Docker({"ps", "-aq", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker});
  REQUIRE(ids.exit_code == 0);
  std::istringstream in(ids.out);
  std::vector<std::string> args{"inspect", "-f", "{{.Id}} {{.State.Status}} {{.State.StartedAt}}"};
  size_t n = 0;
  for (std::string id; in >> id; ++n) args.push_back(id);
  if (n == 0) return "";
  auto r = Docker(args);
  if (r.exit_code != 0) return "changing";
  std::vector<std::string> lines;
  std::istringstream out(r.out);
  for (std::string line; std::getline(out, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (auto& l : lines) joined += l + "\n";
  return joined;
}

int Running(const std::string& worker) {
  auto r = Docker({"ps", "-q", "--filter", "label=dev.nebula.worker=" + worker});
  int n = 0;
  std::istringstream in(r.out);
  for (std::string id; in >> id;) ++n;
  return n;
}

std::unique_ptr<BackgroundProcess> Agent(const std::string& app, const std::string& worker, int port,
                                         const std::string& docker_host) {
  const auto& stack = SharedStack();
  return std::make_unique<BackgroundProcess>(
      std::vector<std::string>{stack.bin_dir + "/nebula-worker-agent", "--apps", app, "--worker-id", worker,
                               "--kafka-brokers", stack.kafka_brokers, "--docker-host", docker_host, "--listen",
                               "127.0.0.1:" + std::to_string(port), "--resync-seconds", "2", "--stop-timeout-seconds",
                               "1"},
      std::map<std::string, std::string>{}, stack.state_dir + "/" + worker + ".log");
}

// The stack's Kafka broker: the java process whose command line names the stack's state dir.
pid_t KafkaPid() {
  const std::string state_dir = SharedStack().state_dir;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find("java") != std::string::npos && cmdline.find("kafka") != std::string::npos &&
        cmdline.find(state_dir) != std::string::npos) {
      return static_cast<pid_t>(std::stoi(name));
    }
  }
  return 0;
}

// Forwards a unix socket to dockerd's; Stop() drops every connection and stops listening.
class SocketProxy {
 public:
  SocketProxy(std::string path, std::string upstream) : path_(std::move(path)), upstream_(std::move(upstream)) {}
  ~SocketProxy() { Stop(); }

  void Start() {
    std::filesystem::remove(path_);
    listener_ = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr = Address(path_);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE(listen(listener_, 64) == 0);
    stopping_ = false;
    acceptor_ = std::thread([this] {
      while (!stopping_) {
        pollfd p{listener_, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        const int client = accept(listener_, nullptr, nullptr);
        if (client < 0) continue;
        const int server = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un up = Address(upstream_);
        if (connect(server, reinterpret_cast<sockaddr*>(&up), sizeof(up)) != 0) {
          close(client);
          close(server);
          continue;
        }
        std::lock_guard lock(mutex_);
        fds_.push_back(client);
        fds_.push_back(server);
        pumps_.emplace_back([=] { Pump(client, server); });
        pumps_.emplace_back([=] { Pump(server, client); });
      }
    });
  }

  void Stop() {
    if (listener_ < 0) return;
    stopping_ = true;
    if (acceptor_.joinable()) acceptor_.join();
    close(listener_);
    listener_ = -1;
    std::filesystem::remove(path_);
    std::vector<std::thread> pumps;
    {
      std::lock_guard lock(mutex_);
      for (int fd : fds_) shutdown(fd, SHUT_RDWR);
      pumps.swap(pumps_);
    }
    for (auto& t : pumps) t.join();
    std::lock_guard lock(mutex_);
    for (int fd : fds_) close(fd);
    fds_.clear();
  }

 private:
  static sockaddr_un Address(const std::string& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path.c_str());
    return addr;
  }
  static void Pump(int from, int to) {
    char buffer[16384];
    while (true) {
      const ssize_t n = read(from, buffer, sizeof(buffer));
      if (n <= 0) break;
      if (send(to, buffer, static_cast<size_t>(n), MSG_NOSIGNAL) != n) break;
    }
    shutdown(to, SHUT_WR);
  }

  std::string path_, upstream_;
  int listener_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> fds_;
  std::vector<std::thread> pumps_;
};

std::string UnixPath(const std::string& docker_host) {
  const std::string prefix = "unix://";
  return docker_host.rfind(prefix, 0) == 0 ? docker_host.substr(prefix.size()) : docker_host;
}

}  // namespace

TEST_CASE("Kafka down: the agent touches no container", "[integration][outage]") {
  const auto& stack = SharedStack();
  const std::string app = "wa-kafka-down", worker = app + "-" + std::to_string(getpid());
  auto agent = Agent(app, worker, TestPort(0), stack.docker_host);
  auto created =
      nebula::testing::RunNebula({"apps", "create", app, "--image", stack.sample_image, "--containers", "2"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  REQUIRE(Eventually([&] { return Running(worker) == 2; }, 60s));
  std::this_thread::sleep_for(3s);  // a verifying pass and a resync
  const std::string before = Snapshot(worker);

  const pid_t kafka = KafkaPid();
  REQUIRE(kafka > 0);
  REQUIRE(kill(kafka, SIGSTOP) == 0);
  std::this_thread::sleep_for(15s);  // seven resyncs, the Kafka client timing out meanwhile
  const std::string during = Snapshot(worker);
  const bool alive = agent->Running();
  REQUIRE(kill(kafka, SIGCONT) == 0);
  INFO(agent->LogTail());
  CHECK(alive);
  CHECK(during == before);  // same containers, never restarted
  std::this_thread::sleep_for(5s);
  CHECK(Snapshot(worker) == before);
  CHECK(nebula::testing::RunNebula({"apps", "delete", app}).exit_code == 0);
  CHECK(Eventually([&] { return Snapshot(worker).empty(); }, 30s));
  CHECK(agent->Stop() == 0);
}

TEST_CASE("dockerd away and back: the agent converges, the rest untouched", "[integration][outage]") {
  const auto& stack = SharedStack();
  const std::string app = "wa-dockerd-back", worker = app + "-" + std::to_string(getpid());
  const std::string proxy_path = stack.state_dir + "/dockerd-proxy.sock";
  SocketProxy proxy(proxy_path, UnixPath(stack.docker_host));
  proxy.Start();
  auto agent = Agent(app, worker, TestPort(1), "unix://" + proxy_path);
  auto created =
      nebula::testing::RunNebula({"apps", "create", app, "--image", stack.sample_image, "--containers", "2"});
  REQUIRE(created.exit_code == 0);
  REQUIRE(Eventually([&] { return Running(worker) == 2; }, 60s));
  std::this_thread::sleep_for(3s);

  proxy.Stop();  // dockerd "down" for the agent
  auto ids = Docker({"ps", "-q", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker, "--filter",
                     "label=dev.nebula.index=1"});
  REQUIRE(ids.exit_code == 0);
  REQUIRE(Docker({"rm", "-f", ids.out.substr(0, ids.out.find('\n'))}).exit_code == 0);
  auto keep = Docker({"ps", "-q", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker});
  std::this_thread::sleep_for(5s);
  CHECK(Running(worker) == 1);  // nobody could repair it meanwhile
  CHECK(agent->Running());

  proxy.Start();  // back
  const auto t0 = std::chrono::steady_clock::now();
  const bool back = Eventually([&] { return Running(worker) == 2; }, 30s, 100ms);
  std::printf("dockerd back: converged again in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  INFO(agent->LogTail());
  CHECK(back);
  auto after = Docker({"ps", "-q", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker});
  CHECK(after.out.find(keep.out.substr(0, keep.out.find('\n'))) != std::string::npos);  // index 0 untouched
  CHECK(nebula::testing::RunNebula({"apps", "delete", app}).exit_code == 0);
  CHECK(Eventually([&] { return Snapshot(worker).empty(); }, 30s));
  CHECK(agent->Stop() == 0);
  proxy.Stop();
}
