// End to end, from the user's side: the nebula CLI against the real stack (PostgreSQL, Kafka,
// api-manager) and a real worker agent on a real dockerd; every fact is checked with docker inspect.
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "nebula/v1/worker_agent.grpc.pb.h"
#include "stack_fixture.h"

using nebula::testing::BackgroundProcess;
using nebula::testing::CommandResult;
using nebula::testing::Eventually;
using nebula::testing::Run;
using nebula::testing::SharedStack;
using nebula::testing::TestPort;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kApp = "e2e-web";

std::string WorkerId() { return "e2e-" + std::to_string(getpid()); }

CommandResult Nebula(std::vector<std::string> args) { return nebula::testing::RunNebula(std::move(args)); }
CommandResult Docker(std::vector<std::string> args) { return nebula::testing::RunDocker(std::move(args)); }

// docker inspect of this worker's containers of the app, ordered by the index label.
json AppContainers() {
  auto ids = Docker({"ps", "-aq", "--no-trunc", "--filter", "label=dev.nebula.worker=" + WorkerId(), "--filter",
                     std::string("label=dev.nebula.app=") + kApp});
  REQUIRE(ids.exit_code == 0);
  std::vector<std::string> args{"inspect"};
  std::istringstream in(ids.out);
  for (std::string id; in >> id;) args.push_back(id);
  if (args.size() == 1) return json::array();
  auto inspected = Docker(args);
  if (inspected.exit_code != 0) return json::array();  // a container vanished between ps and inspect
  json all = json::parse(inspected.out);
  std::sort(all.begin(), all.end(), [](const json& a, const json& b) {
    return std::stoi(a["Config"]["Labels"]["dev.nebula.index"].get<std::string>()) <
           std::stoi(b["Config"]["Labels"]["dev.nebula.index"].get<std::string>());
  });
  return all;
}

std::set<std::string> Ids(const json& containers) {
  std::set<std::string> ids;
  for (const auto& c : containers) ids.insert(c["Id"].get<std::string>());
  return ids;
}

bool HasEnv(const json& container, const std::string& entry) {
  const auto& env = container["Config"]["Env"];
  return std::find(env.begin(), env.end(), entry) != env.end();
}

int64_t Generation(const json& app) {
  const auto& g = app["generation"];  // proto3 JSON renders int64 as a string
  return g.is_string() ? std::stoll(g.get<std::string>()) : g.get<int64_t>();
}

std::string ImageId(const std::string& ref) {
  auto r = Docker({"image", "inspect", "--format", "{{.Id}}", ref});
  REQUIRE(r.exit_code == 0);
  return r.out.substr(0, r.out.find_first_of("\r\n"));
}

nebula::v1::WorkerReport AgentStatus(int port) {
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials());
  auto stub = nebula::v1::WorkerAgent::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + 2s);
  nebula::v1::WorkerReport report;
  nebula::v1::GetStatusRequest request;
  if (!stub->GetStatus(&ctx, request, &report).ok()) return {};
  return report;
}

bool AgentConverged(int port, int64_t generation) {
  const auto report = AgentStatus(port);
  if (!report.synced()) return false;
  for (const auto& app : report.app_reports())
    if (app.app() == kApp) return app.converged_generation() == generation;
  return false;
}

std::unique_ptr<BackgroundProcess> StartAgent(int port) {
  const auto& stack = SharedStack();
  return std::make_unique<BackgroundProcess>(
      std::vector<std::string>{stack.bin_dir + "/nebula-worker-agent", "--apps", kApp, "--worker-id", WorkerId(),
                               "--kafka-brokers", stack.kafka_brokers, "--docker-host", stack.docker_host, "--listen",
                               "127.0.0.1:" + std::to_string(port), "--default-host-ip", "127.0.0.1",
                               "--resync-seconds", "5"},
      std::map<std::string, std::string>{}, stack.state_dir + "/e2e-agent.log");
}

// Everything the spec asks for, as dockerd runs it.
void RequireContainersMatch(const json& containers, int http_port, int metrics_port, const std::string& greeting) {
  REQUIRE(containers.size() == 3);
  const std::string image_id = ImageId(SharedStack().sample_image);
  for (int i = 0; i < 3; ++i) {
    const auto& c = containers[i];
    INFO("container " << i << ": " << c["Name"]);
    CHECK(c["State"]["Running"].get<bool>());
    CHECK(c["Image"].get<std::string>() == image_id);
    CHECK(c["Config"]["Image"].get<std::string>() == SharedStack().sample_image);
    const auto& bindings = c["HostConfig"]["PortBindings"];
    REQUIRE(bindings.contains("80/tcp"));
    REQUIRE(bindings.contains("9100/tcp"));
    CHECK(bindings["80/tcp"][0]["HostPort"].get<std::string>() == std::to_string(http_port + i));
    CHECK(bindings["80/tcp"][0]["HostIp"].get<std::string>() == "127.0.0.1");
    CHECK(bindings["9100/tcp"][0]["HostPort"].get<std::string>() == std::to_string(metrics_port + i));
    CHECK(HasEnv(c, "GREETING=" + greeting));
    CHECK(HasEnv(c, "MODE=e2e"));
    CHECK(c["Config"]["Labels"]["dev.nebula.managed-by"].get<std::string>() == "nebula");
  }
}

}  // namespace

TEST_CASE("an app goes from one CLI call to containers on dockerd and back", "[e2e]") {
  const auto& stack = SharedStack();
  const int agent_port = TestPort(0), http_port = TestPort(1), metrics_port = TestPort(5);
  const auto started = std::chrono::steady_clock::now();
  auto agent = StartAgent(agent_port);

  // Create: 3 containers, 2 port mappings, env.
  auto created = Nebula({"apps", "create", kApp, "--image", stack.sample_image, "--containers", "3", "--port",
                         std::to_string(http_port) + ":80", "--port", std::to_string(metrics_port) + ":9100", "--env",
                         "GREETING=hi", "--env", "MODE=e2e", "-o", "json"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  const int64_t gen1 = Generation(json::parse(created.out));

  json containers;
  const bool up = Eventually(
      [&] {
        containers = AppContainers();
        return containers.size() == 3 && std::all_of(containers.begin(), containers.end(),
                                                     [](const json& c) { return c["State"]["Running"].get<bool>(); });
      },
      60s);
  INFO(agent->LogTail());
  REQUIRE(up);
  RequireContainersMatch(containers, http_port, metrics_port, "hi");
  REQUIRE(Eventually([&] { return AgentConverged(agent_port, gen1); }, 30s));

  // The containers serve traffic on their per-index host ports.
  for (int i = 0; i < 3; ++i) {
    auto page = Run({"curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + std::to_string(http_port + i) + "/"});
    CHECK(page.exit_code == 0);
    CHECK(page.out.find(" hi") != std::string::npos);
  }

  // Update one env var: every container is replaced and converges on the new value.
  const auto before_update = Ids(containers);
  auto updated = Nebula({"apps", "update", kApp, "--env", "GREETING=bye", "--env", "MODE=e2e", "-o", "json"});
  INFO(updated.out << updated.err);
  REQUIRE(updated.exit_code == 0);
  const int64_t gen2 = Generation(json::parse(updated.out));
  REQUIRE(gen2 == gen1 + 1);
  const bool converged = Eventually(
      [&] {
        containers = AppContainers();
        return containers.size() == 3 && std::all_of(containers.begin(), containers.end(), [](const json& c) {
                 return c["State"]["Running"].get<bool>() && HasEnv(c, "GREETING=bye");
               });
      },
      60s);
  REQUIRE(converged);
  RequireContainersMatch(containers, http_port, metrics_port, "bye");
  for (const auto& id : Ids(containers)) CHECK(before_update.count(id) == 0);
  auto page = Run({"curl", "-sf", "--max-time", "5", "http://127.0.0.1:" + std::to_string(http_port + 2) + "/"});
  CHECK(page.out.find(" bye") != std::string::npos);
  REQUIRE(Eventually([&] { return AgentConverged(agent_port, gen2); }, 30s));

  // Restart the agent: it adopts what it finds and replaces nothing.
  const auto before_restart = Ids(containers);
  REQUIRE(agent->Stop() == 0);
  CHECK(Ids(AppContainers()) == before_restart);  // stopping the agent leaves containers alone
  agent = StartAgent(agent_port);
  REQUIRE(Eventually([&] { return AgentConverged(agent_port, gen2); }, 60s));
  std::this_thread::sleep_for(6s);  // at least one periodic resync after the initial reconcile
  containers = AppContainers();
  CHECK(Ids(containers) == before_restart);
  RequireContainersMatch(containers, http_port, metrics_port, "bye");

  // Delete: the containers go away.
  auto deleted = Nebula({"apps", "delete", kApp});
  INFO(deleted.out << deleted.err);
  REQUIRE(deleted.exit_code == 0);
  REQUIRE(Eventually([&] { return AppContainers().empty(); }, 60s));
  CHECK(Nebula({"apps", "get", kApp}).exit_code != 0);

  agent->Stop();
  const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  WARN("e2e scenario took " << seconds << " s (stack start-up excluded)");
}
