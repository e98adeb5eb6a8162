// dockerd itself stopped (SIGTERM) and started again on the same data root while the agent binary runs,
// on a dockerd of this test's own (a private one: stopping the shared dockerd would break every other
// test). dockerd runs as Debian ships it, without --live-restore: on SIGTERM it stops the containers,
// and on start it starts again those whose restart policy says so (the agent's default is
// unless-stopped). The agent must stay up, report dockerd as unreachable, back off instead of
// spinning, and converge again afterwards with the same containers (IDs) answering on the same ports.
// Also with --live-restore (containers keep running while dockerd is away), and with dockerd restarted
// in the middle of a rolling update (the roll goes on; the containers it already made stay).
#include <cstdio>
#include <map>
#include <set>
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
         report->converged_generation() == report->observed_generation() && report->running_containers() == kContainers;
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

void RestartUnderAgent(bool live_restore) {
  const auto& stack = SharedStack();
  const std::string mode = live_restore ? "live-restore" : "default";
  PrivateDockerd dockerd(stack.state_dir + "/pd-" + mode, live_restore);
  const std::string app = "wa-restart-" + mode, worker = app + "-" + std::to_string(getpid());
  const int agent_port = TestPort(live_restore ? 2 : 0), http_port = TestPort(live_restore ? 8 : 5);
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
  std::printf("[%s] dockerd stopped in %.1f s\n", mode.c_str(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - stop_started).count());
  INFO("dockerd log: " << dockerd.LogTail());
  REQUIRE(graceful);
  const bool answered_while_down = AllAnswer(http_port);
  std::printf("[%s] while dockerd is down the ports %s\n", mode.c_str(),
              answered_while_down ? "answer" : "do not answer");
  const double cpu_at_stop = CpuSeconds(agent_pid);
  // Each failed pass logs one warning naming dockerd (and the event stream one when it breaks).
  const std::vector<std::string> warning{"warn", "dockerd"};
  const int warnings_at_stop = CountLines(nebula::testing::ReadFile(agent->log_path()), warning);
  const bool reported =
      Eventually([&] { return Errors(agent_port, app).find("docker: ") != std::string::npos; }, 20s, 250ms);
  // The same error reaches nebula.reports, and through it the api-manager (`nebula reports get`).
  const bool published = Eventually(
      [&] {
        return RunNebula({"reports", "get", worker, "-o", "json"}).out.find("docker: ") != std::string::npos;
      },
      20s, 500ms);
  std::this_thread::sleep_for(20s);  // an outage of half a minute or so
  const double cpu = CpuSeconds(agent_pid) - cpu_at_stop;
  const int dockerd_warnings = CountLines(nebula::testing::ReadFile(agent->log_path()), warning) - warnings_at_stop;
  std::printf("[%s] dockerd down ~25 s: the agent used %.2f s CPU and logged %d dockerd warnings; report errors: %s",
              mode.c_str(), cpu, dockerd_warnings, Errors(agent_port, app).c_str());
  CHECK(agent->Running());
  CHECK(reported);
  CHECK(published);
  CHECK(cpu < 2.0);               // no busy loop
  CHECK(dockerd_warnings >= 1);   // it did try
  CHECK(dockerd_warnings <= 12);  // backoff: 1 s doubling (up to 60 s), not every few milliseconds

  // Back: same data root, same bridge.
  const auto start_started = std::chrono::steady_clock::now();
  dockerd.Start();
  const bool back = Eventually([&] { return Converged(agent_port, app) && AllAnswer(http_port); }, 60s, 100ms);
  std::printf(
      "[%s] dockerd restarted: the agent reports converged and all %d ports answer %.1f s after dockerd "
      "starts\n",
      mode.c_str(), kContainers,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_started).count());
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

}  // namespace

TEST_CASE("dockerd stopped and started again under a running agent: no container replaced", "[integration][outage]") {
  RestartUnderAgent(false);
}

TEST_CASE("dockerd with live-restore stopped and started again under a running agent: no container replaced",
          "[integration][outage]") {
  RestartUnderAgent(true);
}

namespace {

// "<full id> <generation>" of each of the worker's containers.
std::map<std::string, std::string> Generations(const PrivateDockerd& dockerd, const std::string& worker) {
  const auto r = dockerd.Docker({"ps", "-a", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker, "--format",
                                 "{{.ID}} {{.Label \"dev.nebula.generation\"}}"},
                                std::chrono::seconds(30));
  std::map<std::string, std::string> out;
  std::istringstream in(r.out);
  for (std::string id, generation; in >> id >> generation;) out[id] = generation;
  return out;
}

bool AllAnswerWith(int first_port, const std::string& text) {
  for (int i = 0; i < kContainers; ++i) {
    if (HttpGet(first_port + i).find(text) == std::string::npos) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("dockerd restarted in the middle of a rolling update: the roll goes on and ends", "[integration][outage]") {
  const auto& stack = SharedStack();
  PrivateDockerd dockerd(stack.state_dir + "/pd-rolling");
  const std::string app = "wa-restart-rolling", worker = app + "-" + std::to_string(getpid());
  const int agent_port = TestPort(3), http_port = TestPort(11);
  auto agent = StartAgent(app, worker, agent_port, dockerd.host());
  INFO("agent log: " << agent->LogTail());
  REQUIRE(RunNebula({"apps", "create", app, "--image", stack.sample_image, "--containers", std::to_string(kContainers),
                     "--port", "127.0.0.1:" + std::to_string(http_port) + ":80", "--env", "GREETING=round1"})
              .exit_code == 0);
  REQUIRE(Eventually([&] { return Converged(agent_port, app) && AllAnswerWith(http_port, "round1"); }, 90s, 250ms));
  const std::string old_generation = Generations(dockerd, worker).begin()->second;

  // One container at a time, each 8 s ready before the next: a roll of ~20 s.
  const auto updated = RunNebula({"apps", "update", app, "--env", "GREETING=round2", "--rolling", "--max-unavailable",
                                  "1", "--min-ready-seconds", "8"});
  INFO(updated.out << updated.err);
  REQUIRE(updated.exit_code == 0);
  std::map<std::string, std::string> mid;
  const auto mid_roll = [&] {
    mid = Generations(dockerd, worker);
    int fresh = 0, old = 0;
    for (const auto& [id, generation] : mid) (generation == old_generation ? old : fresh) += 1;
    return fresh >= 1 && old >= 1;
  };
  REQUIRE(Eventually(mid_roll, 60s, 100ms));
  std::set<std::string> made_by_the_roll;
  for (const auto& [id, generation] : mid) {
    if (generation != old_generation) made_by_the_roll.insert(id);
  }

  REQUIRE(dockerd.Stop());
  std::this_thread::sleep_for(10s);
  CHECK(agent->Running());
  const auto start_started = std::chrono::steady_clock::now();
  dockerd.Start();
  const bool done = Eventually(
      [&] {
        const auto now = Generations(dockerd, worker);
        bool all_new = now.size() == kContainers;
        for (const auto& [id, generation] : now) all_new = all_new && generation != old_generation;
        return all_new && Converged(agent_port, app) && AllAnswerWith(http_port, "round2");
      },
      120s, 250ms);
  std::printf("dockerd restarted mid-roll (%zu of %d containers new): the roll ended %.1f s after dockerd starts\n",
              made_by_the_roll.size(), kContainers,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start_started).count());
  INFO("agent log after: " << agent->LogTail() << "\nreport errors: " << Errors(agent_port, app));
  CHECK(done);
  const auto after = Generations(dockerd, worker);
  for (const auto& id : made_by_the_roll) CHECK(after.count(id) == 1);  // not replaced again
  CHECK(after.size() == kContainers);
  CHECK(agent->Running());

  CHECK(RunNebula({"apps", "delete", app}).exit_code == 0);
  CHECK(Eventually([&] { return ContainerIds(dockerd, worker).empty(); }, 30s));
  CHECK(agent->Stop() == 0);
}
