// EngineApiClient against the real dockerd of the test stack (SharedStack(): the dockerd it found or
// started, and the sample image it built and pushed to its registry), publishes on 127.0.0.1 only, labels everything
// with a per-run worker id and removes it all at the end.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>

#include "worker-agent/core/container_labels.h"
#include "worker-agent/docker/engine_api_client.h"
#include "docker_client_contract.h"
#include "dockerd_fixture.h"
#include "common/error.h"
#include "stack_fixture.h"

using namespace nebula::agent;
using nebula::Error;
using nebula::ErrorCode;

namespace {

std::string DockerHost() { return nebula::testing::SharedStack().docker_host; }
std::string SampleImage() { return nebula::testing::SharedStack().sample_image; }

// Removes every container this run created, before and after.
struct Cleanup {
  EngineApiClient& docker;
  std::string worker;
  void Run() {
    try {
      for (const auto& c : docker.ListContainers({{std::string(kLabelWorker), worker}})) docker.RemoveContainer(c.id);
    } catch (const std::exception&) {
    }
  }
  ~Cleanup() { Run(); }
};

ContainerSpec Spec(const std::string& worker, int index, int base_port) {
  nebula::v1::AppSpec app;
  app.set_image(SampleImage());
  app.add_command("sh");
  app.add_args("-c");
  app.add_args("sleep 3600");
  auto* port = app.add_ports();
  port->set_host_port(static_cast<uint32_t>(base_port));
  port->set_container_port(80);
  (*app.mutable_env())["GREETING"] = "hello world";
  (*app.mutable_labels())["team"] = "it";
  return BuildContainerSpec("itweb", app, 7, index, AgentSettings{worker, "127.0.0.1"});
}

}  // namespace

TEST_CASE("EngineApiClient drives the real dockerd", "[integration][docker]") {
  EngineApiClient docker(DockerHost());
  INFO("docker host " << DockerHost());
  DockerVersion version;
  REQUIRE_NOTHROW(version = docker.Version());  // dockerd must be reachable: this test never skips
  CHECK(!version.version.empty());
  CHECK(!version.api_version.empty());

  const std::string worker = "wa-it-" + std::to_string(getpid()) + "-" +
                             std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
  Cleanup cleanup{docker, worker};
  // The dev stack's sample image lives in its registry only: pulling it is part of the test then.
  if (!docker.InspectImage(SampleImage())) docker.PullImage(SampleImage());
  REQUIRE(docker.InspectImage(SampleImage()).has_value());
  const int port = nebula::agent::testing::FreePorts(2);  // containers 0 and 1 of a mapping

  // Create + start containers 0 and 1: ports, env, labels, command as asked.
  std::vector<std::string> ids;
  for (int i = 0; i < 2; ++i) {
    const auto spec = Spec(worker, i, port);
    const std::string id = docker.CreateContainer(spec, "itweb-" + std::to_string(i) + "-" + worker.substr(6, 5));
    docker.StartContainer(id);
    ids.push_back(id);

    const auto d = docker.InspectContainer(id);
    CHECK(d.container.state == ContainerState::kRunning);
    CHECK(d.container.image == SampleImage());
    CHECK(d.container.labels.at("dev.nebula.managed-by") == "nebula");
    CHECK(d.container.labels.at("dev.nebula.worker") == worker);
    CHECK(d.container.labels.at("dev.nebula.index") == std::to_string(i));
    CHECK(d.container.labels.at("dev.nebula.config-hash") == spec.config_hash);
    CHECK(d.container.labels.at("team") == "it");
    CHECK(std::count(d.env.begin(), d.env.end(), "GREETING=hello world") == 1);
    CHECK(d.entrypoint == std::vector<std::string>{"sh"});
    CHECK(d.cmd == std::vector<std::string>{"-c", "sleep 3600"});
    REQUIRE(d.ports.size() == 1);
    CHECK(d.ports[0] == PortBinding{"127.0.0.1", static_cast<uint32_t>(port + i), 80, "tcp"});
    CHECK(d.restart_policy == "unless-stopped");
    CHECK_FALSE(d.privileged);
  }

  // The label filter finds exactly this run's containers.
  auto listed = docker.ListContainers({{std::string(kLabelManagedBy), "nebula"}, {std::string(kLabelWorker), worker}});
  REQUIRE(listed.size() == 2);
  for (const auto& c : listed) {
    CHECK(std::find(ids.begin(), ids.end(), c.id) != ids.end());
    CHECK(c.state == ContainerState::kRunning);
    CHECK(c.name.rfind("itweb-", 0) == 0);
  }

  // dockerd's own messages come through: a taken host port, a taken name, a missing container.
  const auto clash = Spec(worker, 0, port);
  const std::string clash_id = docker.CreateContainer(clash, "itweb-clash-" + worker.substr(6, 5));
  try {
    docker.StartContainer(clash_id);
    FAIL("a second container started on a taken host port");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()),
               Catch::Contains("already allocated") || Catch::Contains("address already in use"));
  }
  try {
    docker.CreateContainer(clash, "itweb-clash-" + worker.substr(6, 5));
    FAIL("a duplicate name was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kAlreadyExists);
  }
  try {
    docker.InspectContainer("nebula-no-such-container");
    FAIL("inspect of a missing container succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
    CHECK_THAT(std::string(e.what()), Catch::Contains("No such container"));
  }

  // Stop, remove; removing again is NOT_FOUND.
  docker.StopContainer(ids[0], std::chrono::seconds(1));
  CHECK(docker.InspectContainer(ids[0]).container.state == ContainerState::kExited);
  docker.StopContainer(ids[0], std::chrono::seconds(1));  // already stopped: fine
  docker.RemoveContainer(ids[0]);
  try {
    docker.RemoveContainer(ids[0]);
    FAIL("removed twice");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  docker.RemoveContainer(ids[1]);  // running: forced
  docker.RemoveContainer(clash_id);
  CHECK(docker.ListContainers({{std::string(kLabelWorker), worker}}).empty());
}

TEST_CASE("EngineApiClient images: inspect and a failing pull", "[integration][docker]") {
  EngineApiClient docker(DockerHost());
  REQUIRE_NOTHROW(docker.Version());
  if (!docker.InspectImage(SampleImage())) docker.PullImage(SampleImage());
  const auto image = docker.InspectImage(SampleImage());
  REQUIRE(image.has_value());
  CHECK(image->id.rfind("sha256:", 0) == 0);
  CHECK_FALSE(docker.InspectImage("nebula-no-such-image:0").has_value());
  // A registry nobody listens on: the pull fails with dockerd's reason, quickly.
  try {
    docker.PullImage("127.0.0.1:9/nebula/no-such-image:1");
    FAIL("pull from a dead registry succeeded");
  } catch (const Error& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("127.0.0.1:9"));
  }
}

TEST_CASE("EngineApiClient reports an unreachable dockerd as UNAVAILABLE", "[integration][docker]") {
  EngineApiClient docker("unix:///nonexistent/docker.sock");
  try {
    docker.ListContainers({});
    FAIL("listing through a missing socket succeeded");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
  }
  CHECK_THROWS_AS(EngineApiClient("docker.example:2375"), Error);
}

TEST_CASE("EngineApiClient: the DockerClient contract on the real dockerd", "[integration][docker][contract]") {
  nebula::agent::testing::CheckDockerClientContract([] {
    // A registry nobody listens on: the pull fails, quickly.
    return nebula::agent::testing::ContractSubject{std::make_unique<EngineApiClient>(DockerHost()), SampleImage(),
                                                   "127.0.0.1:9/nebula/no-such-image:1"};
  });
}
