#include <catch2/catch.hpp>

#include <algorithm>

#include "../test_apps.h"
#include "worker-agent/core/container_count.h"
#include "worker-agent/core/reconcile_plan.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using nebula::v1::AppSpec;

namespace {

PlanInput Input(std::vector<std::pair<std::string, AppDesire>> apps, std::vector<ObservedContainer> containers = {},
                std::set<std::string> images = {"nebtest/web:1"}) {
  PlanInput in;
  in.apps = std::move(apps);
  in.containers = std::move(containers);
  in.present_images = std::move(images);
  in.host = kHost;
  in.settings = kSettings;
  return in;
}

AppPlan PlanOne(const PlanInput& in) {
  auto plans = PlanReconcile(in);
  REQUIRE(plans.size() == 1);
  return plans.front();
}

std::vector<ActionKind> Kinds(const std::vector<Action>& step) {
  std::vector<ActionKind> out;
  for (const auto& a : step) out.push_back(a.kind);
  return out;
}

std::vector<int32_t> Indexes(const std::vector<Action>& step) {
  std::vector<int32_t> out;
  for (const auto& a : step) out.push_back(a.index);
  std::sort(out.begin(), out.end());
  return out;
}

std::set<std::string> Ids(const std::vector<Action>& step) {
  std::set<std::string> out;
  for (const auto& a : step) out.insert(a.container_id);
  return out;
}

std::set<std::string> Ids(const std::vector<ObservedContainer>& containers) {
  std::set<std::string> out;
  for (const auto& c : containers) out.insert(c.id);
  return out;
}

const auto kCreate = ActionKind::kCreateContainer;
const auto kRemove = ActionKind::kRemoveContainer;
const auto kStart = ActionKind::kStartContainer;
const auto kPull = ActionKind::kPullImage;

}  // namespace

TEST_CASE("a new app gets count containers with per-index specs", "[unit][plan]") {
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(3), 1)}}));
  CHECK(plan.desired_containers == 3);
  CHECK_FALSE(plan.converged());
  REQUIRE(plan.steps.size() == 1);
  const auto& creates = plan.steps[0];
  CHECK(Kinds(creates) == std::vector<ActionKind>(3, kCreate));
  for (int i = 0; i < 3; ++i) {
    CHECK(creates[i].index == i);
    CHECK(creates[i].spec.index == i);
    CHECK(creates[i].spec.ports[0].host_port == 8080u + i);
    CHECK(creates[i].spec.labels.at("dev.nebula.worker") == "worker-1");
  }
}

TEST_CASE("a missing image is pulled before anything else", "[unit][plan]") {
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(2), 1)}}, {}, {}));
  REQUIRE(plan.steps.size() == 2);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>{kPull});
  CHECK(plan.steps[0][0].image == "nebtest/web:1");
  CHECK(Kinds(plan.steps[1]) == std::vector<ActionKind>(2, kCreate));
}

TEST_CASE("adoption: matching containers need no action, whatever generation created them", "[unit][plan]") {
  const auto spec = WebSpec(3);
  SECTION("same generation") {
    const auto plan = PlanOne(Input({{"web", Present(spec, 4)}}, Running("web", spec, 4, 3)));
    CHECK(plan.steps.empty());
    CHECK(plan.converged());
  }
  SECTION("a newer generation that changed nothing for the containers") {
    AppSpec same = spec;
    same.mutable_update_strategy()->set_rolling(true);
    const auto plan = PlanOne(Input({{"web", Present(same, 9)}}, Running("web", spec, 4, 3)));
    CHECK(plan.steps.empty());
    CHECK(plan.converged());
    CHECK(plan.generation == 9);
  }
  SECTION("no pull for a present image, even when dockerd lacks it") {
    const auto plan = PlanOne(Input({{"web", Present(spec, 4)}}, Running("web", spec, 4, 3), {}));
    CHECK(plan.steps.empty());
  }
}

TEST_CASE("count up creates only the new indexes", "[unit][plan]") {
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(5), 2)}}, Running("web", WebSpec(3), 1, 3)));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>(2, kCreate));
  CHECK(Indexes(plan.steps[0]) == std::vector<int32_t>{3, 4});
}

TEST_CASE("count down removes the highest indexes", "[unit][plan]") {
  const auto running = Running("web", WebSpec(3), 1, 3);
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(1), 2)}}, running));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>(2, kRemove));
  CHECK(Indexes(plan.steps[0]) == std::vector<int32_t>{1, 2});
  CHECK(plan.desired_containers == 1);
}

TEST_CASE("an env change replaces every container: remove all, then create all", "[unit][plan]") {
  const auto running = Running("web", WebSpec(3), 1, 3);
  AppSpec changed = WebSpec(3);
  (*changed.mutable_env())["MODE"] = "prod";
  const auto plan = PlanOne(Input({{"web", Present(changed, 2)}}, running));
  REQUIRE(plan.steps.size() == 2);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>(3, kRemove));
  CHECK(Ids(plan.steps[0]) == Ids(running));
  CHECK(Kinds(plan.steps[1]) == std::vector<ActionKind>(3, kCreate));
  for (const auto& a : plan.steps[1]) {
    CHECK(std::find(a.spec.env.begin(), a.spec.env.end(), "MODE=prod") != a.spec.env.end());
    CHECK(a.spec.labels.at("dev.nebula.generation") == "2");
  }
}

TEST_CASE("an image change pulls first, then replaces all", "[unit][plan]") {
  const auto running = Running("web", WebSpec(2), 1, 2);
  AppSpec changed = WebSpec(2);
  changed.set_image("nebtest/web:2");
  const auto plan = PlanOne(Input({{"web", Present(changed, 2)}}, running));
  REQUIRE(plan.steps.size() == 3);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>{kPull});
  CHECK(plan.steps[0][0].image == "nebtest/web:2");
  CHECK(Kinds(plan.steps[1]) == std::vector<ActionKind>(2, kRemove));
  CHECK(Kinds(plan.steps[2]) == std::vector<ActionKind>(2, kCreate));
}

TEST_CASE("pull policy: always refreshes first, never does not pull", "[unit][plan]") {
  AppSpec always = WebSpec(1);
  always.set_pull_policy(nebula::v1::PULL_POLICY_ALWAYS);
  auto plan = PlanOne(Input({{"web", Present(always, 1)}}));
  REQUIRE(plan.steps.size() == 1);  // the refresh pull, alone
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>{kPull});
  CHECK(plan.pull_key == "g1/n0");
  CHECK_FALSE(plan.converged());

  AppSpec never = WebSpec(1);
  never.set_pull_policy(nebula::v1::PULL_POLICY_NEVER);
  never.set_pull_nonce(4);
  plan = PlanOne(Input({{"web", Present(never, 1)}}, {}, {}));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>{kCreate});
  CHECK(plan.pull_key.empty());
}

TEST_CASE("pull keys: a nonce for any policy but never, always adds the generation", "[unit][plan]") {
  AppSpec s = WebSpec(1);
  CHECK(PullKey(s, 3).empty());
  s.set_pull_nonce(2);
  CHECK(PullKey(s, 3) == "n2");
  s.set_pull_policy(nebula::v1::PULL_POLICY_ALWAYS);
  CHECK(PullKey(s, 3) == "g3/n2");
  s.set_pull_policy(nebula::v1::PULL_POLICY_NEVER);
  CHECK(PullKey(s, 3).empty());
}

TEST_CASE("after a pull refresh only the containers whose image ID changed are replaced", "[unit][plan]") {
  AppSpec spec = WebSpec(3);
  auto containers = Running("web", spec, 1, 3);
  containers[0].image_id = "sha256:old";
  containers[1].image_id = "sha256:new";
  containers[2].image_id = "sha256:old";
  spec.set_pull_nonce(1);  // not part of the hash: the containers still match it
  auto in = Input({{"web", Present(spec, 2)}}, containers);
  in.image_ids["nebtest/web:1"] = "sha256:new";

  auto plan = PlanOne(in);  // first the pull
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>{kPull});
  CHECK(plan.pull_key == "n1");

  in.pulled["web"] = "n1";
  plan = PlanOne(in);
  REQUIRE(plan.steps.size() == 2);
  CHECK(Ids(plan.steps[0]) == std::set<std::string>{containers[0].id, containers[2].id});
  CHECK(plan.steps[0][0].reason == "image changed");
  CHECK(Indexes(plan.steps[1]) == std::vector<int32_t>{0, 2});

  // An app that never asked for a pull keeps containers of an older image.
  auto plain = Input({{"web", Present(WebSpec(3), 2)}}, containers);
  plain.image_ids["nebtest/web:1"] = "sha256:new";
  CHECK(PlanOne(plain).converged());
}

TEST_CASE("an unhealthy container is restarted", "[unit][plan]") {
  auto containers = Running("web", WebSpec(2), 1, 2);
  containers[1].health = Health::kUnhealthy;
  containers[0].health = Health::kHealthy;
  auto plan = PlanOne(Input({{"web", Present(WebSpec(2), 1)}}, containers));
  REQUIRE(plan.steps.size() == 1);
  REQUIRE(plan.steps[0].size() == 1);
  CHECK(plan.steps[0][0].kind == ActionKind::kRestartContainer);
  CHECK(plan.steps[0][0].container_id == containers[1].id);
  CHECK(Describe(plan.steps[0][0]) == "restart web[1] web-1-abcde (unhealthy)");
}

TEST_CASE("running=false removes every container of the app", "[unit][plan]") {
  AppSpec stopped = WebSpec(3);
  stopped.set_running(false);
  const auto running = Running("web", WebSpec(3), 1, 3);
  const auto plan = PlanOne(Input({{"web", Present(stopped, 2)}}, running));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>(3, kRemove));
  CHECK(plan.steps[0][0].reason == "app not running");
  CHECK(plan.desired_containers == 0);

  const auto done = PlanOne(Input({{"web", Present(stopped, 2)}}));
  CHECK(done.converged());
}

TEST_CASE("a deleted app loses its containers", "[unit][plan]") {
  const auto running = Running("web", WebSpec(2), 1, 2);
  const auto plan = PlanOne(Input({{"web", AppDesire{DesireKind::kAbsent, 3, {}}}}, running));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Ids(plan.steps[0]) == Ids(running));
  CHECK(plan.steps[0][0].reason == "app deleted");
}

TEST_CASE("an app whose desired state is unknown is left alone", "[unit][plan]") {
  const auto running = Running("web", WebSpec(2), 1, 2);
  const auto plan = PlanOne(Input({{"web", AppDesire{}}}, running));
  CHECK(plan.steps.empty());
  CHECK_FALSE(plan.converged());
}

TEST_CASE("containers of an app no longer in the list are removed if this worker made them", "[unit][plan]") {
  auto containers = Running("old", WebSpec(2), 1, 2);
  const auto mine = Ids(containers);
  auto theirs = Running("old", WebSpec(2), 1, 2, AgentSettings{"worker-2", ""});
  containers.insert(containers.end(), theirs.begin(), theirs.end());
  const auto plans = PlanReconcile(Input({{"web", Present(WebSpec(0), 1)}}, containers));
  REQUIRE(plans.size() == 2);
  CHECK(plans[0].app == "web");
  const auto& leftover = plans[1];
  CHECK(leftover.app == "old");
  CHECK_FALSE(leftover.listed);
  REQUIRE(leftover.steps.size() == 1);
  CHECK(Ids(leftover.steps[0]) == mine);
  CHECK(leftover.steps[0][0].reason == "app not in this agent's list");
}

TEST_CASE("other workers' and unlabelled containers are never touched", "[unit][plan]") {
  auto other = Running("web", WebSpec(3), 1, 3, AgentSettings{"worker-2", "127.0.0.1"});
  ObservedContainer plain;
  plain.id = "someone-elses";
  plain.state = ContainerState::kRunning;
  plain.labels = {{"dev.nebula.app", "web"}, {"dev.nebula.index", "0"}, {"dev.nebula.worker", "worker-1"}};
  other.push_back(plain);  // no managed-by label
  AppSpec stopped = WebSpec(3);
  stopped.set_running(false);
  for (const auto& desire : {Present(WebSpec(3), 2), Present(stopped, 2), AppDesire{DesireKind::kAbsent, 2, {}}}) {
    for (const auto& plan : PlanReconcile(Input({{"web", desire}}, other))) {
      for (const auto& step : plan.steps) {
        for (const auto& a : step) CHECK(a.kind != kRemove);
      }
    }
  }
}

TEST_CASE("a stopped container is started unless its restart policy accepts the exit", "[unit][plan]") {
  auto containers = Running("web", WebSpec(3), 1, 3);
  containers[1].state = ContainerState::kExited;
  containers[2].state = ContainerState::kCreated;
  auto plan = PlanOne(Input({{"web", Present(WebSpec(3), 1)}}, containers));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>(2, kStart));
  CHECK(Ids(plan.steps[0]) == std::set<std::string>{containers[1].id, containers[2].id});

  AppSpec once = WebSpec(1);
  once.set_restart_policy(nebula::v1::RESTART_POLICY_NO);
  auto finished = Running("web", once, 1, 1);
  finished[0].state = ContainerState::kExited;
  plan = PlanOne(Input({{"web", Present(once, 1)}}, finished));
  CHECK(plan.steps.empty());
}

TEST_CASE("duplicates at one index: the running one stays, the rest go", "[unit][plan]") {
  const auto spec = BuildContainerSpec("web", WebSpec(1), 1, 0, kSettings);
  auto exited = Observed(spec, ContainerState::kExited, 50);
  auto running = Observed(spec, ContainerState::kRunning, 200);
  auto older_running = Observed(spec, ContainerState::kRunning, 100);
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(1), 1)}}, {exited, running, older_running}));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Kinds(plan.steps[0]) == std::vector<ActionKind>(2, kRemove));
  CHECK(Ids(plan.steps[0]) == std::set<std::string>{exited.id, running.id});  // the oldest running one stays
  CHECK(plan.steps[0][0].reason == "duplicate of index 0");
}

TEST_CASE("containers without a valid index are removed, a dead one is replaced", "[unit][plan]") {
  auto containers = Running("web", WebSpec(2), 1, 2);
  auto broken = containers[0];
  broken.id = "broken";
  broken.labels["dev.nebula.index"] = "zero";
  containers.push_back(broken);
  containers[1].state = ContainerState::kDead;
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(2), 1)}}, containers));
  REQUIRE(plan.steps.size() == 2);
  CHECK(Ids(plan.steps[0]) == std::set<std::string>{"broken", containers[1].id});
  CHECK(Kinds(plan.steps[1]) == std::vector<ActionKind>{kCreate});
  CHECK(plan.steps[1][0].index == 1);
}

TEST_CASE("a container dockerd is removing is waited for", "[unit][plan]") {
  auto containers = Running("web", WebSpec(1), 1, 1);
  containers[0].state = ContainerState::kRemoving;
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(1), 1)}}, containers));
  CHECK(plan.settling);
  CHECK_FALSE(plan.converged());
}

TEST_CASE("indexes whose ports would exceed 65535 are reported, the others run", "[unit][plan]") {
  AppSpec spec = WebSpec(3);
  spec.mutable_ports(0)->set_host_port(65534);
  const auto plan = PlanOne(Input({{"web", Present(spec, 1)}}));
  REQUIRE(plan.steps.size() == 1);
  CHECK(Indexes(plan.steps[0]) == std::vector<int32_t>{0, 1});
  REQUIRE(plan.problems.size() == 1);
  CHECK_THAT(plan.problems[0].text, Catch::Contains("65536"));
  CHECK_FALSE(plan.converged());
}

TEST_CASE("an app listed twice gets one set of containers", "[unit][plan]") {
  const auto plans = PlanReconcile(Input({{"web", Present(WebSpec(2), 1)}, {"web", Present(WebSpec(2), 1)}}));
  REQUIRE(plans.size() == 1);
  CHECK(plans[0].steps[0].size() == 2);
}

TEST_CASE("a capped count is a problem", "[unit][plan]") {
  AppSpec spec = WebSpec();
  spec.mutable_ports()->Clear();
  spec.mutable_containers_per()->set_memory_mb(1);
  PlanInput in = Input({{"web", Present(spec, 1)}});
  in.host.memory_mb = 5000;
  const auto plan = PlanOne(in);
  CHECK(plan.desired_containers == kMaxContainersPerApp);
  REQUIRE(plan.problems.size() == 1);
  CHECK_THAT(plan.problems[0].text, Catch::Contains("capped"));
}

TEST_CASE("several apps are planned independently", "[unit][plan]") {
  AppSpec db = WebSpec(1);
  db.set_image("nebtest/db:1");
  db.mutable_ports(0)->set_host_port(5432);
  db.mutable_ports()->RemoveLast();
  const auto plans =
      PlanReconcile(Input({{"web", Present(WebSpec(2), 1)}, {"db", Present(db, 7)}}, Running("web", WebSpec(2), 1, 2)));
  REQUIRE(plans.size() == 2);
  CHECK(plans[0].converged());
  CHECK(plans[1].app == "db");
  REQUIRE(plans[1].steps.size() == 2);
  CHECK(Kinds(plans[1].steps[0]) == std::vector<ActionKind>{kPull});
}

TEST_CASE("actions describe themselves for the log", "[unit][plan]") {
  const auto plan = PlanOne(Input({{"web", Present(WebSpec(1), 1)}}, {}, {}));
  CHECK(Describe(plan.steps[0][0]) == "pull nebtest/web:1 for web (image not present)");
  CHECK(Describe(plan.steps[1][0]) == "create web[0] (missing)");
}
