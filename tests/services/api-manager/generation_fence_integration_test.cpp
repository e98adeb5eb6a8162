// Generations never go backwards on nebula.desired (docs/architecture.md "Restoring the database"),
// against the real thing: PostgreSQL restored with pg_restore from a dump taken five updates ago, a
// real Kafka topic, a real agent on dockerd. The test runs its own nebula-api-manager over a database of
// its own on the stack's PostgreSQL (so it can stop, restore and restart it) and its own agent.
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <tuple>

#include "common/desired_keys.h"
#include "common/kafka/record_producer.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/desired_state.pb.h"
#include "stack_fixture.h"

using namespace std::chrono_literals;
namespace nt = nebula::testing;
using nebula::v1::ApiManager;

namespace {

const std::string kApp = "fence-web";

// The stack's database URL with another database name.
std::string WithDatabase(const std::string& url, const std::string& database) {
  const auto slash = url.rfind('/');
  return url.substr(0, slash + 1) + database;
}

struct FenceDatabase {
  explicit FenceDatabase(const nt::StackInfo& stack)
      : admin_url(stack.database_url), name("fence_" + std::to_string(::getpid())), url(WithDatabase(admin_url, name)) {
    pqxx::connection conn(admin_url);
    pqxx::nontransaction(conn).exec("CREATE DATABASE " + name);
  }
  ~FenceDatabase() {
    try {
      pqxx::connection conn(admin_url);
      pqxx::nontransaction(conn).exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (...) {
    }
  }
  std::string admin_url, name, url;
};

std::unique_ptr<nt::BackgroundProcess> StartApiManager(const nt::StackInfo& stack, const std::string& database_url,
                                                       const std::string& endpoint, const std::string& log) {
  auto process = std::make_unique<nt::BackgroundProcess>(
      std::vector<std::string>{
          stack.bin_dir + "/nebula-api-manager", "--listen", endpoint, "--database-url", database_url,
          "--kafka-brokers", stack.kafka_brokers, "--reports-group",
          "fence-" + std::to_string(::getpid()) + "-" + database_url.substr(database_url.rfind('/') + 1)},
      std::map<std::string, std::string>{}, stack.state_dir + "/" + log);
  auto channel = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
  const bool up = channel->WaitForConnected(std::chrono::system_clock::now() + 60s);
  INFO(process->LogTail());
  REQUIRE(up);
  return process;
}

struct Api {
  explicit Api(const std::string& endpoint)
      : stub(ApiManager::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()))) {}

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + 20s);
    return context;
  }

  nebula::v1::App SetGreeting(const std::string& image, const std::string& greeting, bool create = false) {
    nebula::v1::App app;
    grpc::Status status;
    if (create) {
      nebula::v1::CreateAppRequest request;
      request.mutable_app()->set_name(kApp);
      request.mutable_app()->mutable_spec()->set_image(image);
      (*request.mutable_app()->mutable_spec()->mutable_env())["GREETING"] = greeting;
      status = stub->CreateApp(Context().get(), request, &app);
    } else {
      nebula::v1::UpdateAppRequest request;
      request.mutable_app()->set_name(kApp);
      request.mutable_app()->mutable_spec()->set_image(image);
      (*request.mutable_app()->mutable_spec()->mutable_env())["GREETING"] = greeting;
      status = stub->UpdateApp(Context().get(), request, &app);
    }
    INFO(status.error_message());
    REQUIRE(status.ok());
    return app;
  }

  nebula::v1::AppStatus Status() {
    nebula::v1::GetAppStatusRequest request;
    request.set_name(kApp);
    nebula::v1::AppStatus status;
    grpc::Status s = stub->GetAppStatus(Context().get(), request, &status);
    INFO(s.error_message());
    REQUIRE(s.ok());
    return status;
  }

  std::vector<nebula::v1::AppRevision> Revisions() {
    nebula::v1::ListAppRevisionsRequest request;
    request.set_name(kApp);
    nebula::v1::ListAppRevisionsResponse response;
    grpc::Status s = stub->ListAppRevisions(Context().get(), request, &response);
    REQUIRE(s.ok());
    return {response.revisions().begin(), response.revisions().end()};
  }

  std::unique_ptr<ApiManager::Stub> stub;
};

// The app's one running container: id and GREETING, or empty.
struct Running {
  std::string id, greeting;
};
Running RunningContainer(const std::string& worker) {
  auto ps = nt::RunDocker({"ps", "-q", "--no-trunc", "--filter", "label=dev.nebula.worker=" + worker, "--filter",
                           "label=dev.nebula.app=" + kApp});
  std::string id = ps.out.substr(0, ps.out.find('\n'));
  if (ps.exit_code != 0 || id.empty() || ps.out.find('\n') + 1 < ps.out.size()) return {};  // none, or several
  auto env = nt::RunDocker({"inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", id});
  const auto at = env.out.find("GREETING=");
  if (at == std::string::npos) return {id, ""};
  return {id, env.out.substr(at + 9, env.out.find('\n', at) - at - 9)};
}

bool Converged(Api& api, int64_t generation) {
  auto status = api.Status();
  return status.generation() == generation && status.rollout() == nebula::v1::AppStatus::CONVERGED &&
         status.hosts_converged() == 1;
}

// This test's own api-manager over a database of its own, and one agent of the app on the stack's dockerd.
struct FenceScene {
  FenceScene(const std::string& worker_prefix, int port_offset)
      : stack(nt::SharedStack()),
        db(stack),
        endpoint("127.0.0.1:" + std::to_string(nt::TestPort(port_offset))),
        worker(worker_prefix + "-" + std::to_string(::getpid())),
        cleanup{worker},
        api_manager(StartApiManager(stack, db.url, endpoint, worker + "-api-manager-1.log")),
        agent({stack.bin_dir + "/nebula-worker-agent", "--apps", kApp, "--worker-id", worker, "--kafka-brokers",
               stack.kafka_brokers, "--docker-host", stack.docker_host, "--listen",
               "127.0.0.1:" + std::to_string(nt::TestPort(port_offset + 1)), "--resync-seconds", "300",
               // A fresh api-manager's reports consumer starts at the topic's end: frequent reports reach it.
               "--report-interval-seconds", "2"},
              {}, stack.state_dir + "/" + worker + "-agent.log"),
        api(endpoint) {}

  void RestartApiManager() {
    api_manager->Stop();
    api_manager = StartApiManager(stack, db.url, endpoint, worker + "-api-manager-2.log");
  }

  const nt::StackInfo& stack;
  FenceDatabase db;
  std::string endpoint, worker;
  nt::RemoveContainersOfWorker cleanup;  // before the agent: removes its containers after it stopped
  std::unique_ptr<nt::BackgroundProcess> api_manager;
  nt::BackgroundProcess agent;
  Api api;
};

// Waits for the app to converge at generation on the scene's one host; on failure shows what is known.
void RequireConverged(FenceScene& scene, int64_t generation) {
  const bool converged = nt::Eventually([&] { return Converged(scene.api, generation); }, 60s);
  INFO("status: " << scene.api.Status().ShortDebugString());
  INFO("api-manager: " << scene.api_manager->LogTail());
  INFO("agent: " << scene.agent.LogTail());
  REQUIRE(converged);
}

void Restore(const FenceDatabase& db, const std::string& dump) {
  auto restore = nt::Run({"pg_restore", "--clean", "--if-exists", "--no-owner", "-d", db.url, dump});
  INFO(restore.err);
  REQUIRE(restore.exit_code == 0);
}

}  // namespace

TEST_CASE("after a restore from an older dump, the API moves past the topic: no host frozen, nothing replaced twice") {
  FenceScene scene("fence", 0);
  auto [stack, db, api, agent, worker] = std::tie(scene.stack, scene.db, scene.api, scene.agent, scene.worker);
  api.SetGreeting(stack.sample_image, "one", /*create=*/true);
  RequireConverged(scene, 1);
  const std::string dump = stack.state_dir + "/fence-before.dump";
  auto dumped = nt::Run({"pg_dump", "-Fc", "-f", dump, db.url});
  INFO(dumped.err);
  REQUIRE(dumped.exit_code == 0);

  // Five updates after the dump; the last one goes back to the dumped spec.
  for (const char* greeting : {"two", "three", "four", "five", "one"}) api.SetGreeting(stack.sample_image, greeting);
  RequireConverged(scene, 6);
  const Running before = RunningContainer(worker);
  REQUIRE(before.greeting == "one");

  // The operator restores the database: it is back at generation 1, the topic and the host at 6.
  scene.api_manager->Stop();
  Restore(db, dump);
  scene.api_manager = StartApiManager(stack, db.url, scene.endpoint, worker + "-api-manager-2.log");

  // The relay moved the app past the topic (6 → 7) with the spec the database holds.
  RequireConverged(scene, 7);
  const auto revisions = api.Revisions();
  REQUIRE(revisions.size() == 2);  // newest first: the fence's generation, then the dumped create
  CHECK(revisions[0].generation() == 7);
  CHECK(revisions[0].action() == "GenerationFence");
  CHECK(revisions[1].generation() == 1);
  // Same spec as the running container: the jump replaced nothing.
  CHECK(RunningContainer(worker).id == before.id);

  // The next change reaches the host (the app is not frozen) and replaces the container once.
  api.SetGreeting(stack.sample_image, "after restore");
  RequireConverged(scene, 8);
  const Running after = RunningContainer(worker);
  CHECK(after.id != before.id);
  CHECK(after.greeting == "after restore");
  INFO(agent.LogTail());
}

TEST_CASE("a record the API did not write, with a generation from the future: the host is named as ahead") {
  FenceScene scene("ahead", 2);
  auto [stack, api, agent, worker] = std::tie(scene.stack, scene.api, scene.agent, scene.worker);
  // The first test's app may still be on the topic at a higher generation: this API moves past it.
  const int64_t created = api.SetGreeting(stack.sample_image, "mine", /*create=*/true).generation();
  RequireConverged(scene, created);

  // Someone with write access to the topic publishes generation created + 100.
  nebula::v1::DesiredState forged;
  forged.set_key(nebula::AppKey(kApp));
  forged.set_generation(created + 100);
  forged.mutable_app()->set_name(kApp);
  forged.mutable_app()->set_generation(created + 100);
  forged.mutable_app()->mutable_spec()->set_image(stack.sample_image);
  (*forged.mutable_app()->mutable_spec()->mutable_env())["GREETING"] = "forged";
  auto producer = nebula::kafka::MakeKafkaRecordProducer({.brokers = stack.kafka_brokers});
  auto delivery = producer->Produce(nebula::kDesiredTopic, {{forged.key(), forged.SerializeAsString()}}, {});
  REQUIRE(delivery.delivered_prefix == 1);

  // The host runs it; the status does not call that converged and names the host.
  REQUIRE(nt::Eventually([&] { return RunningContainer(worker).greeting == "forged"; }, 60s));
  nebula::v1::AppStatus status;
  REQUIRE(nt::Eventually([&] { return (status = api.Status()).hosts_ahead() == 1; }, 30s));
  CHECK(status.rollout() == nebula::v1::AppStatus::PROGRESSING);
  CHECK(status.hosts_converged() == 0);
  REQUIRE(status.ahead_hosts_size() == 1);
  CHECK(status.ahead_hosts(0).worker_id() == worker);
  CHECK(status.ahead_hosts(0).generation() == created + 100);
  auto cli = nt::RunNebula({"--endpoint", scene.endpoint, "apps", "status", kApp});
  CHECK(cli.out.find(worker) != std::string::npos);
  CHECK(cli.out.find("ahead") != std::string::npos);

  // A restarted api-manager moves the app past the forged generation: the host runs the API's spec.
  scene.RestartApiManager();
  RequireConverged(scene, created + 101);
  CHECK(RunningContainer(worker).greeting == "mine");
  INFO(agent.LogTail());
}
