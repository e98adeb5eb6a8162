// Device-group mode on an in-memory dockerd: apps leaving the group are stopped, cron jobs run on
// schedule (never two at once) and are cleaned up, prune follows the group and global generations.
#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/agent/cron_runner.h"
#include "worker-agent/agent/reconciler.h"
#include "worker-agent/agent/worker_agent_service.h"
#include "worker-agent/docker/hollow_docker_client.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

namespace {

constexpr int64_t kMidnight = 1796083200;  // 2026-12-01 00:00:00 UTC

struct Group {
  HollowDockerClient docker;
  DesiredView view = DesiredView::ForGroup("edge");
  int64_t unix_now = kMidnight + 5;
  Reconciler reconciler{docker, [this] { return view; }, kHost, kSettings, ReconcilerOptions{}};
  CronRunner cron{docker, [this] { return view; }, kSettings, [this] { return unix_now; }};

  Group() {
    docker.AddImage("nebtest/web:1");
    docker.AddImage("busybox:1");
  }
  int AppContainers(const std::string& app) {
    int n = 0;
    for (const auto& c : docker.All()) n += c.labels.count("dev.nebula.app") && c.labels.at("dev.nebula.app") == app;
    return n;
  }
  std::vector<ObservedContainer> CronRuns() {
    std::vector<ObservedContainer> out;
    for (const auto& c : docker.All()) {
      if (c.labels.count("dev.nebula.cron")) out.push_back(c);
    }
    return out;
  }
  void Converge() {
    for (int i = 0; i < 5 && reconciler.RunPass() != PassResult::kConverged; ++i) {
    }
  }
};

}  // namespace

TEST_CASE("group mode: the group's apps run, an app leaving the group is stopped", "[unit][group]") {
  Group g;
  g.view.Apply("group/edge", GroupRecord("edge", 1, {"web", "api"}));
  g.view.Apply("app/web", Record("web", 1, WebSpec(2)));
  g.view.Apply("app/api", Record("api", 1, WebSpec(1)));
  CHECK(g.reconciler.RunPass() == PassResult::kWaiting);  // not caught up: hands off
  g.view.MarkCaughtUp();
  g.Converge();
  CHECK(g.AppContainers("web") == 2);
  CHECK(g.AppContainers("api") == 1);

  g.view.Apply("group/edge", GroupRecord("edge", 2, {"api"}));
  g.Converge();
  CHECK(g.AppContainers("web") == 0);
  CHECK(g.AppContainers("api") == 1);
  const auto status = g.reconciler.Status();
  CHECK(status.device_group == std::optional<std::string>("edge"));
  CHECK(status.app_list == std::vector<std::string>{"api"});
}

TEST_CASE("group mode: cron jobs run on schedule, one at a time, finished runs are cleaned up", "[unit][group]") {
  Group g;
  g.view.Apply("group/edge", GroupRecord("edge", 1, {}, {"tick"}));
  g.view.Apply("cron/tick", CronRecord("tick", 1, "* * * * *", "busybox:1", {"true"}));
  g.view.MarkCaughtUp();

  g.cron.Tick();  // schedules 00:01
  CHECK(g.CronRuns().empty());
  g.unix_now = kMidnight + 61;
  g.cron.Tick();
  auto runs = g.CronRuns();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].state == ContainerState::kRunning);
  CHECK(runs[0].labels.at("dev.nebula.cron-run") == std::to_string(kMidnight + 60));

  // 00:02 comes while the first run still runs: skipped, never two at once.
  g.unix_now = kMidnight + 121;
  g.cron.Tick();
  CHECK(g.CronRuns().size() == 1);
  auto status = g.cron.Status();
  REQUIRE(status.size() == 1);
  CHECK(status[0].state.running_now);
  REQUIRE(!status[0].state.errors.empty());

  // The run exits with 7: recorded, removed; the app reconciler never touches cron runs.
  auto finished = runs[0];
  finished.state = ContainerState::kExited;
  finished.exit_code = 7;
  g.docker.Put(finished);
  CHECK(g.reconciler.RunPass() == PassResult::kConverged);
  g.unix_now = kMidnight + 150;
  g.cron.Tick();
  CHECK(g.CronRuns().empty());
  status = g.cron.Status();
  CHECK(status[0].state.last_exit_code == 7);
  CHECK_FALSE(status[0].state.running_now);
  CHECK(status[0].state.next_run == kMidnight + 180);

  // It reaches the WorkerReport.
  AgentStatus agent = g.reconciler.Status();
  for (auto& s : status) agent.cron_jobs.emplace_back(s.job, s.state);
  const auto report = BuildWorkerReport(agent, ReportContext{"worker-1", "host", {}, kHost, "t"});
  CHECK(report.device_group() == "edge");
  REQUIRE(report.cron_job_reports_size() == 1);
  CHECK(report.cron_job_reports(0).cron_job() == "tick");
  CHECK(report.cron_job_reports(0).last_exit_code() == 7);
  CHECK(report.cron_job_reports(0).next_run_time().seconds() == kMidnight + 180);
}

TEST_CASE("prune runs when the group or global prune generation grows, and is reported", "[unit][group]") {
  Group g;
  g.view.Apply("group/edge", GroupRecord("edge", 1, {"web"}, {}, 0));
  g.view.Apply("app/web", Record("web", 1, WebSpec(1)));
  g.view.MarkCaughtUp();
  g.docker.AddImage("old/unused:1");
  g.Converge();
  CHECK(g.docker.prunes == 0);

  g.view.Apply("group/edge", GroupRecord("edge", 2, {"web"}, {}, 1));
  g.Converge();
  CHECK(g.docker.prunes == 1);
  CHECK_FALSE(g.docker.HasImage("old/unused:1"));
  CHECK(g.docker.HasImage("nebtest/web:1"));  // in use
  CHECK(g.reconciler.Status().pruned_group_generation == 1);
  g.Converge();
  CHECK(g.docker.prunes == 1);  // once per generation

  g.view.Apply("global", GlobalRecord(1, 3));
  g.Converge();
  CHECK(g.docker.prunes == 2);
  const auto status = g.reconciler.Status();
  CHECK(status.pruned_global_generation == 3);
  const auto report = BuildWorkerReport(status, ReportContext{"worker-1", "host", {}, kHost, "t"});
  CHECK(report.device_group_prune_generation() == 1);
  CHECK(report.global_prune_generation() == 3);
  CHECK(report.apps_size() == 1);
}

TEST_CASE("cron runner: idle without jobs it calls no Docker API and sleeps until a run is due", "[unit][group]") {
  Group g;
  int changes = 0;
  CronRunnerOptions options;
  options.on_status_change = [&] { ++changes; };
  CronRunner cron{g.docker, [&] { return g.view; }, kSettings, [&] { return g.unix_now; }, options};
  g.view.Apply("group/edge", GroupRecord("edge", 1, {}, {}));
  g.view.MarkCaughtUp();
  cron.Tick();  // the first tick lists: an agent restart may find runs
  g.docker.SetUnavailable(true);
  CHECK_NOTHROW(cron.Tick());  // no job and no run container: no Docker call
  CHECK(cron.NextTickIn() >= std::chrono::hours(1));
  CHECK(changes == 0);

  g.docker.SetUnavailable(false);
  g.view.Apply("group/edge", GroupRecord("edge", 2, {}, {"tick"}));
  g.view.Apply("cron/tick", CronRecord("tick", 1, "* * * * *", "busybox:1", {"true"}));
  cron.Tick();  // 00:00:05: schedules 00:01
  CHECK(changes == 1);
  CHECK(cron.NextTickIn() == std::chrono::seconds(55));
  cron.Tick();
  CHECK(changes == 1);  // nothing new to report
  g.unix_now = kMidnight + 60;
  cron.Tick();  // starts the run
  REQUIRE(g.CronRuns().size() == 1);
  CHECK(changes == 2);
  CHECK(cron.NextTickIn() == std::chrono::seconds(1));  // watching the run finish
}
