// Rolling updates in PlanReconcile: batches of max_unavailable, readiness (running, healthy when
// gated, min_ready_seconds), a failed batch stopping the roll, scaling during a roll.
#include <catch2/catch.hpp>

#include <algorithm>

#include "../test_apps.h"
#include "worker-agent/core/reconcile_plan.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using nebula::v1::AppSpec;

namespace {

constexpr int64_t kNow = 10'000;

AppSpec Rolling(int count, uint32_t max_unavailable = 0, uint32_t min_ready = 0, bool gated = false,
                const std::string& mode = "v2") {
  AppSpec spec = WebSpec(count);
  (*spec.mutable_env())["MODE"] = mode;
  auto* strategy = spec.mutable_update_strategy();
  strategy->set_rolling(true);
  strategy->set_max_unavailable(max_unavailable);
  strategy->set_min_ready_seconds(min_ready);
  strategy->set_health_gated(gated);
  return spec;
}

// `count` containers of the old config (MODE=test), created long ago.
std::vector<ObservedContainer> Old(int count) { return Running("web", WebSpec(count), 1, count); }

// Container `index` of the new config, created `age` seconds ago.
ObservedContainer New(const AppSpec& spec, int index, int64_t age, ContainerState state = ContainerState::kRunning,
                      Health health = Health::kNone) {
  auto c = Observed(BuildContainerSpec("web", spec, 2, index, kSettings), state, kNow - age);
  c.health = health;
  return c;
}

AppPlan Plan(const AppSpec& spec, std::vector<ObservedContainer> containers) {
  PlanInput in;
  in.apps = {{"web", Present(spec, 2)}};
  in.containers = std::move(containers);
  in.present_images = {"nebtest/web:1"};
  in.host = kHost;
  in.settings = kSettings;
  in.now = kNow;
  auto plans = PlanReconcile(in);
  REQUIRE(plans.size() == 1);
  return plans.front();
}

std::vector<int32_t> IndexesOf(const AppPlan& plan, ActionKind kind) {
  std::vector<int32_t> out;
  for (const auto& step : plan.steps) {
    for (const auto& a : step) {
      if (a.kind == kind) out.push_back(a.index);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

const auto kCreate = ActionKind::kCreateContainer;
const auto kRemove = ActionKind::kRemoveContainer;
const auto kStart = ActionKind::kStartContainer;
const auto kRestart = ActionKind::kRestartContainer;

}  // namespace

TEST_CASE("rolling: the first batch replaces max_unavailable slots (default 1), lowest first", "[unit][rolling]") {
  auto plan = Plan(Rolling(4), Old(4));
  CHECK(IndexesOf(plan, kRemove) == std::vector<int32_t>{0});
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{0});
  REQUIRE(plan.steps.size() == 2);  // remove, then create (same host ports)
  CHECK(plan.steps[0][0].kind == kRemove);
  CHECK(plan.recheck_ms > 0);
  CHECK_FALSE(plan.converged());

  plan = Plan(Rolling(4, 2), Old(4));
  CHECK(IndexesOf(plan, kRemove) == std::vector<int32_t>{0, 1});
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{0, 1});
}

TEST_CASE("rolling: the next batch waits until the new container ran min_ready_seconds", "[unit][rolling]") {
  const auto spec = Rolling(3, 1, 10);
  auto containers = Old(3);
  containers[0] = New(spec, 0, 4);  // running for 4 s of 10
  auto plan = Plan(spec, containers);
  CHECK(plan.steps.empty());
  CHECK(plan.recheck_ms == 6000);
  CHECK_FALSE(plan.converged());

  containers[0] = New(spec, 0, 10);  // ready
  plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kRemove) == std::vector<int32_t>{1});
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{1});
}

TEST_CASE("rolling: a new container that is created but not started counts as unavailable", "[unit][rolling]") {
  const auto spec = Rolling(3);
  auto containers = Old(3);
  containers[0] = New(spec, 0, 0, ContainerState::kCreated);
  const auto plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kStart) == std::vector<int32_t>{0});
  CHECK(IndexesOf(plan, kRemove).empty());
}

TEST_CASE("rolling: health_gated waits for healthy, ungated does not", "[unit][rolling]") {
  auto containers = Old(2);
  containers[0] = New(Rolling(2, 1, 0, true), 0, 60, ContainerState::kRunning, Health::kStarting);
  auto plan = Plan(Rolling(2, 1, 0, true), containers);
  CHECK(plan.steps.empty());
  CHECK(plan.recheck_ms > 0);

  containers[0] = New(Rolling(2, 1, 0, true), 0, 60, ContainerState::kRunning, Health::kHealthy);
  plan = Plan(Rolling(2, 1, 0, true), containers);
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{1});

  // Without a HEALTHCHECK (empty health) a gated roll goes on.
  containers[0] = New(Rolling(2, 1, 0, true), 0, 60);
  plan = Plan(Rolling(2, 1, 0, true), containers);
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{1});

  // health_gated is not part of the hash; ungated, "starting" is good enough.
  containers[0] = New(Rolling(2, 1, 0, false), 0, 60, ContainerState::kRunning, Health::kStarting);
  plan = Plan(Rolling(2, 1, 0, false), containers);
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{1});
}

TEST_CASE("rolling: a new container that exited stops the roll and says so", "[unit][rolling]") {
  const auto spec = Rolling(3);
  auto containers = Old(3);
  containers[0] = New(spec, 0, 5, ContainerState::kExited);
  const auto plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kStart) == std::vector<int32_t>{0});  // repaired like any container
  CHECK(IndexesOf(plan, kRemove).empty());                    // no further old one replaced
  CHECK(IndexesOf(plan, kCreate).empty());
  REQUIRE(plan.problems.size() == 1);
  CHECK_THAT(plan.problems[0].text, Catch::StartsWith("rolling update stopped: web[0]"));
  CHECK_THAT(plan.problems[0].text, Catch::Contains("exited"));
  CHECK_FALSE(plan.converged());
}

TEST_CASE("rolling: an unhealthy new container stops the roll and is restarted", "[unit][rolling]") {
  const auto spec = Rolling(3, 2);
  auto containers = Old(3);
  containers[0] = New(spec, 0, 30, ContainerState::kRunning, Health::kUnhealthy);
  const auto plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kRestart) == std::vector<int32_t>{0});
  CHECK(IndexesOf(plan, kRemove).empty());
  REQUIRE(plan.problems.size() == 1);
  CHECK_THAT(plan.problems[0].text, Catch::Contains("unhealthy"));
}

TEST_CASE("rolling: old containers that are down anyway are replaced at once", "[unit][rolling]") {
  const auto spec = Rolling(4);
  auto containers = Old(4);
  containers[2].state = ContainerState::kExited;
  containers[3].state = ContainerState::kDead;
  const auto plan = Plan(spec, containers);
  // 2 and 3 are down already: replacing them costs no availability; 0 takes the budget.
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{0, 2, 3});
  CHECK(IndexesOf(plan, kRemove) == std::vector<int32_t>{0, 2, 3});
}

TEST_CASE("rolling: scaling up during a roll creates the new slots at once", "[unit][rolling]") {
  const auto spec = Rolling(6);
  auto containers = Old(4);
  containers[0] = New(spec, 0, 60);
  const auto plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{1, 4, 5});
  CHECK(IndexesOf(plan, kRemove) == std::vector<int32_t>{1});
}

TEST_CASE("rolling: scaling down during a roll removes the surplus at once", "[unit][rolling]") {
  const auto spec = Rolling(2);
  auto containers = Old(4);
  containers[0] = New(spec, 0, 60);
  const auto plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kRemove) == std::vector<int32_t>{1, 2, 3});
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{1});
}

TEST_CASE("rolling: new slots still starting take the budget", "[unit][rolling]") {
  const auto spec = Rolling(3, 1, 30);
  auto containers = Old(2);  // 0 and 1 old; 2 new and young (just scaled up)
  containers.push_back(New(spec, 2, 1));
  const auto plan = Plan(spec, containers);
  CHECK(plan.steps.empty());
  CHECK(plan.recheck_ms == 29000);
}

TEST_CASE("rolling: done when every slot is new and ready", "[unit][rolling]") {
  const auto spec = Rolling(12, 3, 5);
  std::vector<ObservedContainer> containers;
  for (int i = 0; i < 12; ++i) containers.push_back(New(spec, i, 60));
  auto plan = Plan(spec, containers);
  CHECK(plan.converged());
  // At 12 containers (the original broke at 10) batches still go by index, not by name.
  containers = Old(12);
  for (int i = 0; i < 9; ++i) containers[i] = New(spec, i, 60);
  plan = Plan(spec, containers);
  CHECK(IndexesOf(plan, kCreate) == std::vector<int32_t>{9, 10, 11});
}
