// Cron jobs on the real dockerd through the CronRunner (the clock is the test's, the containers are
// real): a due run starts a container with the job's command, its exit code is recorded and the
// container removed; a run due while the previous one still runs is skipped.
#include <catch2/catch.hpp>

#include <thread>

#include "../dockerd_fixture.h"
#include "worker-agent/agent/cron_runner.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using namespace std::chrono_literals;

namespace {

constexpr int64_t kMidnight = 1796083200;  // 2026-12-01 00:00:00 UTC

std::vector<ObservedContainer> Runs(DockerdFixture& f) {
  std::vector<ObservedContainer> out;
  for (const auto& c : f.List()) {
    if (c.labels.count("dev.nebula.cron")) out.push_back(c);
  }
  return out;
}

}  // namespace

TEST_CASE("cron jobs run on dockerd: exit code recorded, finished runs removed, never two at once",
          "[integration][cron]") {
  DockerdFixture f("cron");
  const std::string image = nebula::testing::SharedStack().sample_image;
  DesiredView view = DesiredView::ForGroup("edge");
  view.Apply("group/edge", GroupRecord("edge", 1, {}, {"quick", "slow"}));
  view.Apply("cron/quick", CronRecord("quick", 1, "* * * * *", image, {"sh", "-c", "exit 3"}));
  view.Apply("cron/slow",
             CronRecord("slow", 1, "* * * * *", image, {"sh", "-c", "trap 'exit 0' TERM; sleep 60 & wait"}));
  view.MarkCaughtUp();
  int64_t now = kMidnight + 5;
  CronRunner cron(
      f.docker, [&] { return view; }, AgentSettings{f.worker, "127.0.0.1"}, [&] { return now; });

  cron.Tick();  // schedules 00:01
  CHECK(Runs(f).empty());
  now = kMidnight + 61;
  cron.Tick();
  auto runs = Runs(f);
  REQUIRE(runs.size() == 2);
  for (const auto& run : runs) {
    const auto d = f.docker.InspectContainer(run.id);
    CHECK(d.restart_policy == "no");
    CHECK(run.labels.at("dev.nebula.cron-run") == std::to_string(kMidnight + 60));
  }

  // quick exits with 3: recorded, then removed; slow still runs, so its 00:02 run is skipped.
  REQUIRE(nebula::testing::Eventually(
      [&] {
        for (const auto& r : Runs(f)) {
          if (r.labels.at("dev.nebula.cron") == "quick") return r.state == ContainerState::kExited;
        }
        return false;
      },
      30s));
  now = kMidnight + 121;
  cron.Tick();
  runs = Runs(f);
  int quick = 0, slow = 0;
  for (const auto& r : runs) (r.labels.at("dev.nebula.cron") == "quick" ? quick : slow)++;
  CHECK(quick == 1);  // the 00:02 run of quick (the 00:01 one was removed)
  CHECK(slow == 1);   // still the first one
  std::map<std::string, CronJobState> status;
  for (const auto& s : cron.Status()) status[s.job] = s.state;
  CHECK(status.at("quick").last_exit_code == 3);
  CHECK(status.at("quick").last_finish.has_value());
  CHECK(status.at("slow").running_now);
  REQUIRE(!status.at("slow").errors.empty());
  CHECK_THAT(status.at("slow").errors[0], Catch::Contains("still running"));
  CHECK(status.at("slow").next_run == kMidnight + 180);
}
