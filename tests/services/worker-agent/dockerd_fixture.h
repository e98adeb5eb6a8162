// The reconciler (plan + executor) on the test stack's real dockerd through EngineApiClient, with
// the desired state given directly (no Kafka): integration tests of what arrives on dockerd.
// Everything is labelled with a per-run worker id and removed at the end.
#pragma once

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "worker-agent/agent/reconciler.h"
#include "worker-agent/core/container_labels.h"
#include "worker-agent/docker/engine_api_client.h"
#include "stack_fixture.h"
#include "test_apps.h"

namespace nebula::agent::testing {

inline nebula::testing::CommandResult RunDockerQuiet(std::vector<std::string> args) {
  return nebula::testing::RunDocker(std::move(args));
}

inline bool PortFree(int port, int type) {
  const int fd = socket(AF_INET, type, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// `n` consecutive ports free on 127.0.0.1 for TCP and UDP.
inline int FreePorts(int n) {
  for (int port = 21000 + (getpid() * 37) % 30000; port < 64000; port += n + 3) {
    bool all = true;
    for (int p = port; p < port + n && all; ++p) all = PortFree(p, SOCK_STREAM) && PortFree(p, SOCK_DGRAM);
    if (all) return port;
  }
  FAIL("no free ports");
  return 0;
}

// The sample image running a shell that sleeps and exits at once on SIGTERM.
inline v1::AppSpec SleepSpec() {
  v1::AppSpec spec;
  spec.set_image(nebula::testing::SharedStack().sample_image);
  spec.add_command("sh");
  spec.add_command("-c");
  spec.add_args("trap 'exit 0' TERM; sleep 3600 & wait");
  return spec;
}

struct DockerdFixture {
  explicit DockerdFixture(const std::string& name, RegistryCredentials credentials = {})
      : docker(nebula::testing::SharedStack().docker_host, std::move(credentials)),
        worker("wa-" + name + "-" + std::to_string(getpid()) + "-" + std::to_string(time(nullptr) % 100000)) {
    REQUIRE_NOTHROW(docker.Version());  // dockerd must be reachable: these tests never skip
    const std::string image = nebula::testing::SharedStack().sample_image;
    if (!docker.InspectImage(image)) docker.PullImage(image);
    options.executor.stop_timeout = std::chrono::seconds(2);
    options.repair.min = std::chrono::milliseconds(200);
  }
  ~DockerdFixture() {
    if (reconciler) reconciler->Stop();
    reconciler.reset();
    RemoveContainers();
    for (auto& fn : cleanups) fn();
  }

  void RemoveContainers() {
    try {
      for (const auto& c : docker.ListContainers({{std::string(kLabelWorker), worker}})) docker.RemoveContainer(c.id);
    } catch (const std::exception&) {
    }
  }
  void CleanUpLater(std::function<void()> fn) { cleanups.push_back(std::move(fn)); }

  DesiredView View() {
    std::lock_guard lock(mutex);
    std::vector<std::string> apps;
    for (const auto& [app, record] : records) apps.push_back(app);
    DesiredView view(apps);
    for (const auto& [app, record] : records) view.Apply("app/" + app, record);
    view.MarkCaughtUp();
    return view;
  }
  void Desire(const std::string& app, int64_t generation, const v1::AppSpec& spec) {
    {
      std::lock_guard lock(mutex);
      records[app] = Record(app, generation, spec);
    }
    if (reconciler) reconciler->Trigger();
  }
  Reconciler& Get() {
    if (!reconciler) {
      reconciler = std::make_unique<Reconciler>(
          docker, [this] { return View(); }, host, AgentSettings{worker, "127.0.0.1"}, options);
    }
    return *reconciler;
  }
  // Runs passes on this thread until one finds nothing to do.
  void RequireConverged(std::chrono::seconds timeout = std::chrono::seconds(90)) {
    const auto until = std::chrono::steady_clock::now() + timeout;
    PassResult result = PassResult::kWaiting;
    while (std::chrono::steady_clock::now() < until) {
      result = Get().RunPass();
      if (result == PassResult::kConverged) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::string errors;
    for (const auto& app : Get().Status().apps) {
      for (const auto& e : app.errors) errors += app.app + ": " + e.text + "\n";
    }
    INFO(errors);
    REQUIRE(result == PassResult::kConverged);
  }

  std::vector<ObservedContainer> List() { return docker.ListContainers({{std::string(kLabelWorker), worker}}); }
  std::vector<ContainerDetails> InspectAll() {
    std::vector<ContainerDetails> out;
    for (const auto& c : List()) out.push_back(docker.InspectContainer(c.id));
    return out;
  }
  std::set<std::string> Ids() {
    std::set<std::string> ids;
    for (const auto& c : List()) ids.insert(c.id);
    return ids;
  }

  EngineApiClient docker;
  std::string worker;
  HostFacts host{2, 1024};
  ReconcilerOptions options;
  std::mutex mutex;
  std::map<std::string, std::string> records;
  std::unique_ptr<Reconciler> reconciler;
  std::vector<std::function<void()>> cleanups;
};

}  // namespace nebula::agent::testing
