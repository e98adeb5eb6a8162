// The hollow runtime behaves like dockerd where the agent looks: labels, states, name conflicts,
// images; the reconciler converges on it.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <thread>

#include "../test_apps.h"
#include "docker_client_contract.h"
#include "worker-agent/agent/reconciler.h"
#include "worker-agent/docker/hollow_docker_client.h"
#include "common/error.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

TEST_CASE("hollow runtime: containers are records with dockerd's semantics", "[unit][hollow]") {
  HollowDockerClient docker;
  const auto spec = BuildContainerSpec("web", WebSpec(1), 1, 0, kSettings);
  CHECK_THROWS_AS(docker.CreateContainer(spec, "web-0"), nebula::Error);  // no image yet
  CHECK_FALSE(docker.InspectImage(spec.image).has_value());
  docker.PullImage(spec.image);
  const auto id = docker.CreateContainer(spec, "web-0");
  try {
    docker.CreateContainer(spec, "web-0");
    FAIL("duplicate name");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == nebula::ErrorCode::kAlreadyExists);
  }
  docker.StartContainer(id);
  auto listed = docker.ListContainers({{"dev.nebula.app", "web"}});
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].state == ContainerState::kRunning);
  CHECK(listed[0].image_id == docker.InspectImage(spec.image)->id);
  CHECK(docker.InspectContainer(id).env == spec.env);
  CHECK(docker.ListContainers({{"dev.nebula.app", "db"}}).empty());
  CHECK(docker.PruneImages() == 0);  // in use
  docker.RemoveContainer(id);
  CHECK(docker.PruneImages() == 1);
  CHECK_THROWS_AS(docker.RemoveContainer(id), nebula::Error);
}

TEST_CASE("hollow runtime: the reconciler converges on it", "[unit][hollow]") {
  HollowDockerClient docker;
  DesiredView view({"web"});
  view.Apply("app/web", Record("web", 1, WebSpec(20)));
  view.MarkCaughtUp();
  Reconciler reconciler(
      docker, [&] { return view; }, kHost, kSettings, ReconcilerOptions{});
  CHECK(reconciler.RunPass() == PassResult::kActed);
  CHECK(reconciler.RunPass() == PassResult::kConverged);
  CHECK(reconciler.Status().apps[0].running_containers == 20);
}

TEST_CASE("hollow runtime: the event stream blocks until stopped and ends at once", "[unit][hollow]") {
  HollowDockerClient docker;
  std::stop_source stop;
  std::atomic<bool> connected{false}, returned{false};
  std::thread watcher([&] {
    docker.WatchEvents(
        {}, [&] { connected = true; }, [](const ContainerEvent&) {}, stop.get_token());
    returned = true;
  });
  const auto start = std::chrono::steady_clock::now();
  while (!connected && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(connected);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK_FALSE(returned);
  const auto stopped_at = std::chrono::steady_clock::now();
  stop.request_stop();
  watcher.join();
  CHECK(std::chrono::steady_clock::now() - stopped_at < std::chrono::milliseconds(100));
}

TEST_CASE("hollow runtime: the DockerClient contract", "[unit][hollow][contract]") {
  CheckDockerClientContract([] {
    auto docker = std::make_unique<HollowDockerClient>();
    docker->FailPulls("manifest unknown", "nebtest/unpullable:1");
    return ContractSubject{std::move(docker), "nebtest/web:1", "nebtest/unpullable:1"};
  });
}
