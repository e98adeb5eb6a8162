// The reconcile loop against an in-memory dockerd: convergence, adoption, failures that must not
// cost running containers, and what GetStatus reports.
#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/agent/reconciler.h"
#include "worker-agent/docker/hollow_docker_client.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

namespace {

using SteadyClock = std::chrono::steady_clock;

ReconcilerOptions WithClock(SteadyClock::time_point* now) {
  ReconcilerOptions options;
  options.clock = [now] { return *now; };
  return options;
}

struct Fixture {
  HollowDockerClient docker{HollowOptions{.version = "20.10-fake"}};
  DesiredView view{{"web"}};
  SteadyClock::time_point now = SteadyClock::now();
  Reconciler reconciler{docker, [this] { return view; }, kHost, kSettings, WithClock(&now)};

  Fixture() { docker.AddImage("nebtest/web:1"); }

  void Desire(int64_t generation, const nebula::v1::AppSpec& spec) {
    view.Apply("app/web", Record("web", generation, spec));
    view.MarkCaughtUp();
  }
  const AppStatus& Web(const AgentStatus& status) {
    REQUIRE(!status.apps.empty());
    REQUIRE(status.apps[0].app == "web");
    return status.apps[0];
  }
  int RunningCount() {
    int n = 0;
    for (const auto& c : docker.All()) n += c.state == ContainerState::kRunning;
    return n;
  }
};

}  // namespace

TEST_CASE("nothing is touched before the initial read caught up", "[unit][reconciler]") {
  Fixture f;
  f.docker.Put(Running("web", WebSpec(1), 1, 1)[0]);
  f.view.Apply("app/web", Record("web", 2, WebSpec(3)));  // read, but not caught up yet
  CHECK(f.reconciler.RunPass() == PassResult::kWaiting);
  CHECK(f.docker.All().size() == 1);
  CHECK(f.docker.creates == 0);
  CHECK_FALSE(f.reconciler.Status().synced);
}

TEST_CASE("a new app converges in one acting pass and one checking pass", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(3));
  CHECK(f.reconciler.RunPass() == PassResult::kActed);
  CHECK(f.RunningCount() == 3);
  auto web = f.Web(f.reconciler.Status());
  CHECK(web.observed_generation == 1);
  CHECK(web.converged_generation == 0);  // not verified yet

  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
  const auto status = f.reconciler.Status();
  web = f.Web(status);
  CHECK(status.synced);
  CHECK(status.docker_version == "20.10-fake");
  CHECK(web.converged_generation == 1);
  CHECK(web.desired_containers == 3);
  CHECK(web.running_containers == 3);
  CHECK(web.containers.size() == 3);
  CHECK(web.errors.empty());
}

TEST_CASE("an update replaces containers and converges on the new generation", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(2));
  f.reconciler.RunPass();
  f.reconciler.RunPass();
  auto changed = WebSpec(2);
  (*changed.mutable_env())["MODE"] = "prod";
  f.Desire(2, changed);
  CHECK(f.reconciler.RunPass() == PassResult::kActed);
  CHECK(f.docker.removes == 2);
  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
  CHECK(f.Web(f.reconciler.Status()).converged_generation == 2);
  for (const auto& c : f.docker.All()) {
    const auto spec = f.docker.SpecOf(c.id);
    CHECK(std::find(spec.env.begin(), spec.env.end(), "MODE=prod") != spec.env.end());
  }
}

TEST_CASE("a restarted agent adopts matching containers", "[unit][reconciler]") {
  Fixture f;
  for (const auto& c : Running("web", WebSpec(3), 4, 3)) f.docker.Put(c);
  f.Desire(4, WebSpec(3));
  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
  CHECK(f.docker.creates == 0);
  CHECK(f.docker.removes == 0);
  CHECK(f.Web(f.reconciler.Status()).converged_generation == 4);
}

TEST_CASE("a failed pull reports the error and keeps the old containers", "[unit][reconciler]") {
  Fixture f;
  for (const auto& c : Running("web", WebSpec(2), 1, 2)) f.docker.Put(c);
  auto changed = WebSpec(2);
  changed.set_image("nebtest/missing:9");
  f.docker.FailPulls("manifest for nebtest/missing:9 not found");
  f.Desire(2, changed);
  CHECK(f.reconciler.RunPass() == PassResult::kFailed);
  CHECK(f.docker.pulls == 1);
  CHECK(f.docker.removes == 0);
  CHECK(f.RunningCount() == 2);
  const auto web = f.Web(f.reconciler.Status());
  REQUIRE(web.errors.size() == 1);
  CHECK_THAT(web.errors[0].text, Catch::Contains("manifest for nebtest/missing:9 not found"));
  CHECK(web.observed_generation == 2);
  CHECK(web.converged_generation == 0);
}

TEST_CASE("a start failure (port in use) is reported, the next pass retries the start", "[unit][reconciler]") {
  Fixture f;
  f.docker.FailStarts("driver failed programming external connectivity: port is already allocated");
  f.Desire(1, WebSpec(1));
  CHECK(f.reconciler.RunPass() == PassResult::kFailed);
  auto web = f.Web(f.reconciler.Status());
  REQUIRE(web.errors.size() == 1);
  CHECK_THAT(web.errors[0].text, Catch::Contains("port is already allocated"));
  CHECK(f.docker.All().size() == 1);  // created, not started

  f.docker.FailStarts("");
  CHECK(f.reconciler.RunPass() == PassResult::kBackingOff);  // right after a repair: waits
  f.now += std::chrono::seconds(1);
  CHECK(f.reconciler.RunPass() == PassResult::kActed);  // starts the created container
  CHECK(f.docker.creates == 1);
  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
  CHECK(f.Web(f.reconciler.Status()).errors.empty());
}

TEST_CASE("dockerd unreachable: nothing happens, the error is reported, it recovers", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(1));
  f.docker.SetUnavailable(true);
  CHECK(f.reconciler.RunPass() == PassResult::kFailed);
  auto web = f.Web(f.reconciler.Status());
  REQUIRE(web.errors.size() == 1);
  CHECK_THAT(web.errors[0].text, Catch::StartsWith("docker: ") && Catch::Contains("Couldn't connect"));
  CHECK(web.observed_generation == 1);

  f.docker.SetUnavailable(false);
  CHECK(f.reconciler.RunPass() == PassResult::kActed);
  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
}

TEST_CASE("a deleted app's containers go away and the deletion converges", "[unit][reconciler]") {
  Fixture f;
  for (const auto& c : Running("web", WebSpec(2), 1, 2)) f.docker.Put(c);
  f.view.Apply("app/web", DeletedRecord("web", 2));
  f.view.Apply("app/web", std::nullopt);
  f.view.MarkCaughtUp();
  CHECK(f.reconciler.RunPass() == PassResult::kActed);
  CHECK(f.docker.All().empty());
  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
  CHECK(f.Web(f.reconciler.Status()).converged_generation == 2);
}

TEST_CASE("the loop reconciles on its own thread and stops cleanly", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(2));
  f.reconciler.Start();
  auto converged = [&] {
    const auto status = f.reconciler.Status();
    return !status.apps.empty() && status.apps[0].converged_generation == 1;
  };
  for (int i = 0; i < 500 && !converged(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(converged());
  f.reconciler.Stop();
  CHECK(f.RunningCount() == 2);  // stopping the agent leaves containers running
}

TEST_CASE("one app's unusable image does not hold up the others", "[unit][reconciler]") {
  HollowDockerClient docker;
  docker.AddImage("nebtest/web:1");
  DesiredView view({"web", "bad"});
  auto bad = WebSpec(1);
  bad.set_image("Not/A:Reference");
  bad.mutable_ports(0)->set_host_port(18080);
  bad.mutable_ports(1)->set_host_port(19100);
  view.Apply("app/web", Record("web", 1, WebSpec(1)));
  view.Apply("app/bad", Record("bad", 1, bad));
  view.MarkCaughtUp();
  Reconciler reconciler(
      docker, [&] { return view; }, kHost, kSettings, ReconcilerOptions{});
  CHECK(reconciler.RunPass() == PassResult::kFailed);
  CHECK(reconciler.RunPass() == PassResult::kBackingOff);  // web converged, bad waits for its next try
  const auto status = reconciler.Status();
  REQUIRE(status.apps.size() == 2);
  CHECK(status.apps[0].converged_generation == 1);
  CHECK(status.apps[0].running_containers == 1);
  CHECK(status.apps[1].converged_generation == 0);
  REQUIRE(status.apps[1].errors.size() == 2);  // the failure, still, and the backoff
  CHECK_THAT(status.apps[1].errors[0].text, Catch::Contains("invalid reference format"));
  CHECK_THAT(status.apps[1].errors[1].text, Catch::Contains("backing off"));
}

TEST_CASE("a container removed by hand is recreated at once", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(2));
  f.reconciler.RunPass();
  CHECK(f.reconciler.RunPass() == PassResult::kConverged);
  f.now += std::chrono::seconds(30);  // long after the last repair
  f.docker.RemoveContainer(f.docker.All()[0].id);
  CHECK(f.reconciler.RunPass() == PassResult::kActed);
  CHECK(f.docker.creates == 3);
  CHECK(f.RunningCount() == 2);
}

TEST_CASE("a crash-looping container is repaired once per backoff step", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(1));
  f.reconciler.RunPass();
  f.reconciler.RunPass();
  f.now += std::chrono::seconds(30);
  auto crash = [&] {  // dies (and is cleaned up) as soon as it runs
    for (const auto& c : f.docker.All()) f.docker.RemoveContainer(c.id);
  };
  // Repairs due at 0 s, then 1 s, 2 s, 4 s, 8 s after the previous one. Passes run every 100 ms,
  // as a stream of die events would trigger them.
  std::vector<double> repaired_at;
  const auto start = f.now;
  for (int tick = 0; tick <= 160; ++tick) {
    crash();
    const int before = f.docker.creates;
    const auto result = f.reconciler.RunPass();
    if (f.docker.creates > before) {
      CHECK(result == PassResult::kActed);
      repaired_at.push_back(std::chrono::duration<double>(f.now - start).count());
    } else {
      CHECK(result == PassResult::kBackingOff);
      const auto web = f.Web(f.reconciler.Status());
      CHECK(web.converged_generation == 1);  // unchanged; it is the containers that fail
      REQUIRE(!web.errors.empty());
      CHECK_THAT(web.errors.back().text, Catch::Contains("backing off"));
    }
    f.now += std::chrono::milliseconds(100);
  }
  CHECK(repaired_at == std::vector<double>{0.0, 1.0, 3.0, 7.0, 15.0});
}

TEST_CASE("a new generation is applied at once, even during a crash loop", "[unit][reconciler]") {
  Fixture f;
  f.Desire(1, WebSpec(1));
  f.reconciler.RunPass();
  for (const auto& c : f.docker.All()) f.docker.RemoveContainer(c.id);
  CHECK(f.reconciler.RunPass() == PassResult::kBackingOff);
  f.Desire(2, WebSpec(2));
  CHECK(f.reconciler.RunPass() == PassResult::kActed);
  CHECK(f.RunningCount() == 2);
}

TEST_CASE("the loop does not hot-loop on a crashing container, whatever triggers it", "[unit][reconciler]") {
  HollowDockerClient docker;
  docker.AddImage("nebtest/web:1");
  DesiredView view({"web"});
  view.Apply("app/web", Record("web", 1, WebSpec(1)));
  view.MarkCaughtUp();
  ReconcilerOptions options;
  options.repair.min = std::chrono::milliseconds(400);
  Reconciler reconciler(
      docker, [&] { return view; }, kHost, kSettings, options);
  reconciler.Start();
  // The container dies right after every start; dockerd's die events trigger a pass each time.
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1400);
  while (std::chrono::steady_clock::now() < until) {
    for (const auto& c : docker.All()) docker.RemoveContainer(c.id);
    reconciler.Trigger();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  reconciler.Stop();
  // Created at 0, then repairs at +0.4 s and +0.8 s (1.2 s): at most 3 (4 with scheduling slack).
  CHECK(docker.creates >= 2);
  CHECK(docker.creates <= 4);
}
