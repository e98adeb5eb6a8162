// PlanCron: schedule, never two runs of one job at once, finished runs recorded and removed.
#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/core/cron_plan.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

namespace {

constexpr int64_t kMidnight = 1796083200;  // 2026-12-01 00:00:00 UTC

CronDesire Job(const std::string& name, const std::string& schedule, int64_t generation = 1) {
  CronDesire d;
  d.name = name;
  d.generation = generation;
  d.job.set_name(name);
  d.job.set_schedule(schedule);
  d.job.mutable_spec()->set_image("busybox:1");
  d.job.mutable_spec()->add_command("true");
  return d;
}

ObservedContainer RunOf(const std::string& job, ContainerState state, int exit_code = -1) {
  static int n = 0;
  ObservedContainer c;
  c.id = "cron-" + std::to_string(++n);
  c.state = state;
  c.exit_code = exit_code;
  c.labels = {{"dev.nebula.managed-by", "nebula"}, {"dev.nebula.worker", "worker-1"}, {"dev.nebula.cron", job}};
  return c;
}

CronPlan Tick(std::vector<CronDesire> jobs, std::vector<ObservedContainer> containers,
              const std::map<std::string, CronJobState>& state, int64_t now) {
  CronPlanInput in;
  in.jobs = std::move(jobs);
  in.containers = std::move(containers);
  in.state = state;
  in.now = now;
  in.settings = kSettings;
  return PlanCron(in);
}

}  // namespace

TEST_CASE("cron plan: schedules at first sight, runs when due, then schedules the next", "[unit][cron]") {
  auto plan = Tick({Job("backup", "*/5 * * * *")}, {}, {}, kMidnight + 10);
  CHECK(plan.starts.empty());  // no catch-up of the 00:00 run
  CHECK(plan.state.at("backup").next_run == kMidnight + 300);

  plan = Tick({Job("backup", "*/5 * * * *")}, {}, plan.state, kMidnight + 299);
  CHECK(plan.starts.empty());
  plan = Tick({Job("backup", "*/5 * * * *")}, {}, plan.state, kMidnight + 301);
  REQUIRE(plan.starts.size() == 1);
  const auto& run = plan.starts[0];
  CHECK(run.job == "backup");
  CHECK(run.scheduled == kMidnight + 300);
  CHECK(run.spec.restart_policy == "no");
  CHECK(run.spec.labels.at("dev.nebula.cron") == "backup");
  CHECK(run.spec.labels.at("dev.nebula.cron-run") == std::to_string(kMidnight + 300));
  CHECK(run.spec.labels.count("dev.nebula.app") == 0);
  CHECK(run.spec.entrypoint == std::vector<std::string>{"true"});
  CHECK(plan.state.at("backup").next_run == kMidnight + 600);
  CHECK(plan.state.at("backup").running_now);
  CHECK(plan.state.at("backup").last_start == kMidnight + 301);
}

TEST_CASE("cron plan: a due run is skipped while the previous one still runs", "[unit][cron]") {
  std::map<std::string, CronJobState> state{{"slow", CronJobState{1, kMidnight + 60}}};
  auto plan = Tick({Job("slow", "* * * * *")}, {RunOf("slow", ContainerState::kRunning)}, state, kMidnight + 61);
  CHECK(plan.starts.empty());
  REQUIRE(plan.state.at("slow").errors.size() == 1);
  CHECK_THAT(plan.state.at("slow").errors[0], Catch::Contains("still running"));
  CHECK(plan.state.at("slow").next_run == kMidnight + 120);
}

TEST_CASE("cron plan: finished runs are recorded with their exit code and removed", "[unit][cron]") {
  std::map<std::string, CronJobState> state{{"job", CronJobState{1, kMidnight + 600}}};
  const auto done = RunOf("job", ContainerState::kExited, 3);
  const auto gone = RunOf("left-the-group", ContainerState::kExited, 0);
  const auto busy = RunOf("left-the-group", ContainerState::kRunning);
  auto plan = Tick({Job("job", "*/10 * * * *")}, {done, gone, busy}, state, kMidnight + 100);
  REQUIRE(plan.finished.size() == 2);
  CHECK(plan.finished[0].container_id == done.id);
  CHECK(plan.finished[1].container_id == gone.id);  // its job left: cleaned up, the running one is left alone
  CHECK(plan.state.at("job").last_exit_code == 3);
  CHECK(plan.state.at("job").last_finish == kMidnight + 100);
  CHECK_FALSE(plan.state.at("job").running_now);
  CHECK(plan.state.count("left-the-group") == 0);
}

TEST_CASE("cron plan: a new generation reschedules, running=false and bad schedules run nothing", "[unit][cron]") {
  std::map<std::string, CronJobState> state{{"job", CronJobState{1, kMidnight + 60}}};
  auto plan = Tick({Job("job", "0 * * * *", 2)}, {}, state, kMidnight + 100);
  CHECK(plan.starts.empty());
  CHECK(plan.state.at("job").next_run == kMidnight + 3600);

  auto off = Job("job", "* * * * *", 3);
  off.job.set_running(false);
  plan = Tick({off}, {}, plan.state, kMidnight + 4000);
  CHECK(plan.starts.empty());
  CHECK(plan.state.at("job").next_run == 0);

  plan = Tick({Job("bad", "61 * * * *")}, {}, {}, kMidnight);
  CHECK(plan.starts.empty());
  REQUIRE(plan.state.at("bad").errors.size() == 1);
  CHECK_THAT(plan.state.at("bad").errors[0], Catch::Contains("minute"));
}
