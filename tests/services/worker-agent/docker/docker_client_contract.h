// The DockerClient contract: what the reconciler, the executor and the cron runner rely on, held against
// every DockerClient. The unit tests run it on the in-memory HollowDockerClient
// (hollow_docker_client_test.cpp), the integration tests on EngineApiClient and the real dockerd
// (engine_api_client_test.cpp), so the in-memory client cannot drift from dockerd where the agent looks.
//
// Each SECTION runs on a fresh subject from the factory (Catch2 re-enters the test case per section) and
// labels what it creates with a worker id of its own, removing it all afterwards.
#pragma once

#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <thread>

#include "worker-agent/core/container_labels.h"
#include "worker-agent/core/container_spec.h"
#include "worker-agent/docker/docker_client.h"
#include "common/error.h"

namespace nebula::agent::testing {

struct ContractSubject {
  std::unique_ptr<DockerClient> client;
  std::string image;             // can be pulled and runs `sh -c "sleep 3600"`
  std::string unpullable_image;  // a reference whose pull fails
};

namespace contract_detail {

inline std::string NewWorkerId() {
  static std::atomic<int> runs{0};
  return "contract-" + std::to_string(getpid()) + "-" + std::to_string(++runs) + "-" +
         std::to_string(std::chrono::system_clock::now().time_since_epoch().count() % 100000);
}

// Removes every container of `worker`, before (a crashed earlier run) and after.
struct RemoveAfterwards {
  DockerClient& docker;
  std::string worker;
  ~RemoveAfterwards() {
    try {
      for (const auto& c : docker.ListContainers({{std::string(kLabelWorker), worker}})) docker.RemoveContainer(c.id);
    } catch (const std::exception&) {
    }
  }
};

inline ContainerSpec SleeperSpec(const std::string& image, const std::string& app, int index,
                                 const std::string& worker) {
  v1::AppSpec spec;
  spec.set_image(image);
  spec.add_command("sh");
  spec.add_args("-c");
  spec.add_args("sleep 3600");
  (*spec.mutable_env())["GREETING"] = "contract";
  return BuildContainerSpec(app, spec, 1, index, AgentSettings{worker, "127.0.0.1"});
}

inline ErrorCode CodeOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("the call succeeded");
  return ErrorCode::kInternal;  // not reached: FAIL throws
}

}  // namespace contract_detail

inline void CheckDockerClientContract(const std::function<ContractSubject()>& make_subject) {
  using namespace contract_detail;
  ContractSubject subject = make_subject();
  DockerClient& docker = *subject.client;
  const std::string worker = NewWorkerId();
  const std::map<std::string, std::string> mine{{std::string(kLabelWorker), worker}};
  RemoveAfterwards cleanup{docker, worker};
  if (!docker.InspectImage(subject.image)) docker.PullImage(subject.image);
  auto create = [&](const std::string& app, int index) {
    return docker.CreateContainer(SleeperSpec(subject.image, app, index, worker),
                                  app + "-" + std::to_string(index) + "-" + worker);
  };
  auto state_of = [&](const std::string& id) { return docker.InspectContainer(id).container.state; };

  SECTION("a pulled image can be inspected; one dockerd does not have is nullopt") {
    const auto image = docker.InspectImage(subject.image);
    REQUIRE(image.has_value());
    CHECK(image->id.rfind("sha256:", 0) == 0);
    CHECK_FALSE(docker.InspectImage("nebula-contract-no-such-image:0").has_value());
  }

  SECTION("pulling an image that cannot be had fails with an error") {
    CHECK_THROWS_AS(docker.PullImage(subject.unpullable_image), Error);
    CHECK_FALSE(docker.InspectImage(subject.unpullable_image).has_value());
  }

  SECTION("created containers carry their labels and are listed by them, created, not started") {
    const std::string a = create("contract-a", 0);
    const std::string b = create("contract-b", 0);
    auto only_a = mine;
    only_a[std::string(kLabelApp)] = "contract-a";
    const auto listed = docker.ListContainers(only_a);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].id == a);
    CHECK(listed[0].name == "contract-a-0-" + worker);
    CHECK(listed[0].image == subject.image);
    CHECK(listed[0].state == ContainerState::kCreated);
    CHECK(listed[0].labels.at(std::string(kLabelManagedBy)) == std::string(kManagedByValue));
    CHECK(listed[0].labels.at(std::string(kLabelIndex)) == "0");
    CHECK(ReadIdentity(listed[0]).config_hash == SleeperSpec(subject.image, "contract-a", 0, worker).config_hash);
    CHECK(docker.ListContainers(mine).size() == 2);
    auto nobody = mine;
    nobody[std::string(kLabelApp)] = "contract-nobody";
    CHECK(docker.ListContainers(nobody).empty());
    CHECK(docker.InspectImage(subject.image)->id == listed[0].image_id);
    const auto details = docker.InspectContainer(b);
    CHECK(details.container.id == b);
    CHECK(std::count(details.env.begin(), details.env.end(), "GREETING=contract") == 1);
  }

  SECTION("creating from an image dockerd does not have is NOT_FOUND") {
    auto spec = SleeperSpec("nebula-contract-no-such-image:0", "contract-a", 0, worker);
    CHECK(CodeOf([&] { docker.CreateContainer(spec, "contract-noimage-" + worker); }) == ErrorCode::kNotFound);
    CHECK(docker.ListContainers(mine).empty());
  }

  SECTION("a name in use is ALREADY_EXISTS") {
    create("contract-a", 0);
    CHECK(CodeOf([&] { create("contract-a", 0); }) == ErrorCode::kAlreadyExists);
    CHECK(docker.ListContainers(mine).size() == 1);
  }

  SECTION("start runs; stop leaves it exited, in the listing too; stopping again is fine; start again runs") {
    const std::string id = create("contract-a", 0);
    docker.StartContainer(id);
    CHECK(state_of(id) == ContainerState::kRunning);
    docker.StopContainer(id, std::chrono::seconds(1));
    CHECK(state_of(id) == ContainerState::kExited);
    const auto listed = docker.ListContainers(mine);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].state == ContainerState::kExited);
    docker.StopContainer(id, std::chrono::seconds(1));
    CHECK(state_of(id) == ContainerState::kExited);
    docker.StartContainer(id);
    CHECK(state_of(id) == ContainerState::kRunning);
  }

  SECTION("restart keeps the container's id and runs it") {
    const std::string id = create("contract-a", 0);
    docker.StartContainer(id);
    docker.RestartContainer(id, std::chrono::seconds(1));
    CHECK(state_of(id) == ContainerState::kRunning);
    REQUIRE(docker.ListContainers(mine).size() == 1);
    CHECK(docker.ListContainers(mine)[0].id == id);
  }

  SECTION("remove takes even a running container; a missing one is NOT_FOUND") {
    const std::string id = create("contract-a", 0);
    docker.StartContainer(id);
    docker.RemoveContainer(id);
    CHECK(docker.ListContainers(mine).empty());
    CHECK(CodeOf([&] { docker.RemoveContainer(id); }) == ErrorCode::kNotFound);
    CHECK(CodeOf([&] { docker.InspectContainer(id); }) == ErrorCode::kNotFound);
    CHECK(CodeOf([&] { docker.StartContainer(id); }) == ErrorCode::kNotFound);
  }

  SECTION("a stream of events connects and ends when asked to") {
    std::stop_source stop;
    bool connected = false;
    std::thread stopper;
    docker.WatchEvents(
        mine,
        [&] {
          connected = true;
          stopper = std::thread([&] { stop.request_stop(); });
        },
        [](const ContainerEvent&) {}, stop.get_token());
    stopper.join();
    CHECK(connected);
  }
}

}  // namespace nebula::agent::testing
