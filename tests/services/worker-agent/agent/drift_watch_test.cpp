// DriftWatch against the in-memory dockerd: which events ask for a pass, and reconnection.
#include <catch2/catch.hpp>

#include <thread>

#include "worker-agent/agent/drift_watch.h"
#include "worker-agent/docker/hollow_docker_client.h"

using namespace nebula::agent;
using namespace std::chrono_literals;

namespace {

bool Within(std::chrono::milliseconds timeout, const std::function<bool()>& pred) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

}  // namespace

TEST_CASE("drift events: a container that stops running or vanishes", "[unit][drift_watch]") {
  for (const char* action :
       {"die", "destroy", "stop", "kill", "oom", "health_status: unhealthy", "health_status: healthy"}) {
    CHECK(IsDriftEvent(action));
  }
  for (const char* action : {"create", "start", "restart", "exec_start: sh", "health_status: starting", ""}) {
    CHECK_FALSE(IsDriftEvent(action));
  }
}

TEST_CASE("drift watch asks for a pass on drift events and on every (re)connection", "[unit][drift_watch]") {
  HollowDockerClient docker;
  std::atomic<int> drifts{0}, connects{0};
  DriftWatch watch(
      docker, {{"dev.nebula.worker", "worker-1"}}, [&](const ContainerEvent&) { ++drifts; }, [&] { ++connects; },
      DriftWatchOptions{10ms, 50ms});
  watch.Start();
  REQUIRE(Within(2s, [&] { return connects.load() == 1; }));
  docker.Emit({"start", "c1", {}});
  docker.Emit({"die", "c1", {}});
  docker.Emit({"destroy", "c1", {}});
  REQUIRE(Within(2s, [&] { return drifts.load() == 2; }));

  // dockerd restarts: the stream breaks, reconnecting fails for a while, then works and asks for a
  // pass (the events in between were missed); new events arrive again.
  docker.SetUnavailable(true);
  std::this_thread::sleep_for(200ms);
  CHECK(connects.load() == 1);
  docker.SetUnavailable(false);
  REQUIRE(Within(2s, [&] { return connects.load() == 2; }));
  docker.Emit({"kill", "c2", {}});
  REQUIRE(Within(2s, [&] { return drifts.load() == 3; }));
  watch.Stop();
}
