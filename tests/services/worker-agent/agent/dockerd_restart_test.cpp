// dockerd itself stopped (SIGTERM) and started again on the same data root while the agent binary runs,
// on a dockerd of this test's own (a private one: stopping the shared dockerd would break every other
// test). dockerd runs as Debian ships it, without --live-restore: on SIGTERM it stops the containers,
// and on start it starts again those whose restart policy says so (the agent's default is
// unless-stopped). The agent must stay up, report dockerd as unreachable, back off instead of
// spinning, and converge again afterwards with the same containers (IDs) answering on the same ports.
#include <cstdio>
#include <thread>

#include "private_dockerd_agent.h"

using namespace nebula::agent::testing;
using nebula::testing::Eventually;
using nebula::testing::RunNebula;
using nebula::testing::TestPort;
using namespace std::chrono_literals;

namespace {

constexpr int kContainers = 3;

bool AllAnswer(int first_port) {
  for (int i = 0; i < kContainers; ++i) {
    if (HttpGet(first_port + i).find("hello from") == std::string::npos) return false;
  }
  return true;
}

bool Converged(int agent_port, const std::string& app) {
  const auto status = AgentStatus(agent_port);
  if (!status) return false;
  const auto* report = FindApp(*status, app);
  return report && report->errors_size() == 0 && report->observed_generation() > 0 &&
         report->converged_generation() == report->observed_generation() &&
         report->running_containers() == kContainers;
}

std::string Errors(int agent_port, const std::string& app) {
  const auto status = AgentStatus(agent_port);
  const auto* report = status ? FindApp(*status, app) : nullptr;
  std::string joined;
  if (report) {
    for (const auto& e : report->errors()) joined += e + "\n";
  }
  return joined;
}

}  // namespace

TEST_CASE("dockerd stopped and started again under a running agent: no container replaced", "[integration][outage]") {
  const auto& stack = SharedStack();
  PrivateDockerd dockerd(stack.state_dir + "/pd-restart");
  const std::string app = "wa-dockerd-restart", worker = app + "-" + std::to_string(getpid());
  const int agent_port = TestPort(0), http_port = TestPort(5);
  auto agent = StartAgent(app, worker, agent_port, dockerd.host());
  INFO("agent log: " << agent->LogTail());
  auto created = RunNebula({"apps", "create", app, "--image", stack.sample_image, "--containers",
                            std::to_string(kContainers), "--port", "127.0.0.1:" + std::to_string(http_port) + ":80"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  REQUIRE(Eventually([&] { return Converged(agent_port, app) && AllAnswer(http_port); }, 90s, 250ms));
  const auto before = ContainerIds(dockerd, worker);
  REQUIRE(before.size() == kContainers);

  // Down: SIGTERM to dockerd; it stops the containers and exits.
  const pid_t agent_pid = agent->pid();
  const auto stop_started = std::chrono::steady_clock::now();
  const bool graceful = dockerd.Stop();
  std::printf("dockerd stopped in %.1f s\n",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - stop_started).count());
  INFO("dockerd log: " << dockerd.LogTail());
  REQUIRE(graceful);
  const double cpu_at_stop = CpuSeconds(agent_pid);
  const int warnings_at_stop = CountLines(nebula::testing::ReadFile(agent->log_path()), "leaving containers as they are");
  const bool reported = Eventually(
      [&] { return Errors(agent_port, app).find("docker: ") != std::string::npos; }, 20s, 250ms);
  std::this_thread::sleep_for(20s);  // an outage of about half a minute
  const double cpu = CpuSeconds(agent_pid) - cpu_at_stop;
  const int failed_passes =
      CountLines(nebula::testing::ReadFile(agent->log_path()), "leaving containers as they are") - warnings_at_stop;
  std::printf("dockerd down ~25 s: the agent used %.2f s CPU and ran %d failed passes; report errors: %s", cpu,
              failed_passes, Errors(agent_port, app).c_str());
  CHECK(agent->Running());
  CHECK(reported);
  CHECK(cpu < 2.0);            // no busy loop
  CHECK(failed_passes >= 1);   // it did try
  CHECK(failed_passes <= 10);  // backoff: 1 s doubling (up to 60 s), not every few milliseconds

  // Back: same data root, same bridge.
  const auto start_started = std::chrono::steady_clock::now();
  dockerd.Start();
  const bool back = Eventually([&] { return Converged(agent_port, app) && AllAnswer(http_port); }, 60s, 100ms);
  std::printf("dockerd restarted: the agent reports converged and all %d ports answer %.1f s after dockerd starts\n",
              kContainers, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_started).count());
  INFO("agent log after: " << agent->LogTail() << "\nreport errors: " << Errors(agent_port, app));
  CHECK(back);
  CHECK(agent->Running());
  std::this_thread::sleep_for(6s);  // a resync later: still the same containers
  CHECK(ContainerIds(dockerd, worker) == before);
  CHECK(ContainerIds(dockerd, worker, true) == before);
  CHECK(Converged(agent_port, app));

  CHECK(RunNebula({"apps", "delete", app}).exit_code == 0);
  CHECK(Eventually([&] { return ContainerIds(dockerd, worker).empty(); }, 30s));
  CHECK(agent->Stop() == 0);
}
