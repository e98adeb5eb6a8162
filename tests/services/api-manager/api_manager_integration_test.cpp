// nebula-api-manager against real PostgreSQL and Kafka (the shared stack fixture): every RPC's
// success and error paths, what is (not) written to the database, and what reaches nebula.desired.
#include <catch2/catch.hpp>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include "common/desired_keys.h"
#include "common/grpc_status.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/desired_state.pb.h"
#include "common/partitioner.h"
#include "stack_fixture.h"

#include "api_test_support.h"

using namespace nebula::api_manager::it;

TEST_CASE("create, read, update and delete an app", "[integration]") {
  Api api;
  const std::string name = UniqueName("crud");
  AppSpec spec = Spec();
  (*spec.mutable_env())["GREETING"] = "hello";
  spec.mutable_containers_per()->set_instance(2);
  auto* port = spec.add_ports();
  port->set_host_port(18080);
  port->set_container_port(80);

  App created;
  REQUIRE(api.Create(name, spec, &created).ok());
  CHECK(created.name() == name);
  CHECK(created.generation() == 1);
  CHECK(created.spec().SerializeAsString() == spec.SerializeAsString());
  CHECK(created.create_time().seconds() > 0);
  CHECK(created.update_time().SerializeAsString() == created.create_time().SerializeAsString());

  App got;
  REQUIRE(api.Get(name, &got).ok());
  CHECK(got.SerializeAsString() == created.SerializeAsString());

  // Full replace.
  App replaced;
  REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:2")), &replaced).ok());
  CHECK(replaced.generation() == 2);
  CHECK(replaced.spec().env().empty());
  CHECK(replaced.create_time().SerializeAsString() == created.create_time().SerializeAsString());

  // Partial update: only the masked field changes.
  AppSpec patch;
  (*patch.mutable_env())["MODE"] = "fast";
  App patched;
  REQUIRE(api.Update(UpdateRequest(name, patch, {"spec.env"}, 2), &patched).ok());
  CHECK(patched.generation() == 3);
  CHECK(patched.spec().image() == "nebtest/busybox:2");
  CHECK(patched.spec().env().at("MODE") == "fast");

  int64_t deleted_at = 0;
  REQUIRE(api.Delete(name, 3, &deleted_at).ok());
  CHECK(deleted_at == 4);
  CHECK(api.Get(name).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(Revisions(name) == 4);
}

TEST_CASE("a deleted app re-created continues past its last generation", "[integration]") {
  Api api;
  const std::string name = UniqueName("again");
  REQUIRE(api.Create(name, Spec()).ok());
  REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:2"))).ok());
  int64_t deleted_at = 0;
  REQUIRE(api.Delete(name, 0, &deleted_at).ok());
  CHECK(deleted_at == 3);
  App recreated;
  REQUIRE(api.Create(name, Spec(), &recreated).ok());
  CHECK(recreated.generation() == 4);
  App got;
  REQUIRE(api.Get(name, &got).ok());
  CHECK(got.generation() == 4);
}

TEST_CASE("refused calls say why and write nothing", "[integration]") {
  Api api;
  static int section_run = 0;  // Catch runs the test once per section: a fresh app each time
  const std::string name = UniqueName("refused") + "-" + std::to_string(++section_run);

  SECTION("invalid spec on create") {
    AppSpec spec = Spec();
    auto* port = spec.add_ports();
    port->set_host_port(65535);
    port->set_container_port(80);
    spec.mutable_containers_per()->set_instance(3);  // container 2 would need port 65537
    auto status = api.Create(name, spec);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(ViolationFields(status) == std::vector<std::string>{"app.spec.ports[0].host_port"});
    CHECK(status.error_message().find("65537") != std::string::npos);
    CHECK(api.Get(name).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Revisions(name) == 0);
    CHECK(CountRows("SELECT count(*) FROM apps WHERE name = $1", name) == 0);
  }
  SECTION("invalid name") {
    auto status = api.Create("Not_A_Name", Spec());
    CHECK(ViolationFields(status) == std::vector<std::string>{"app.name"});
  }
  SECTION("duplicate create") {
    REQUIRE(api.Create(name, Spec()).ok());
    auto status = api.Create(name, Spec("other"));
    CHECK(status.error_code() == grpc::StatusCode::ALREADY_EXISTS);
    App got;
    REQUIRE(api.Get(name, &got).ok());
    CHECK(got.spec().image() == "nebtest/busybox:1");
    CHECK(Revisions(name) == 1);
  }
  SECTION("missing app") {
    CHECK(api.Get(name).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(api.Update(UpdateRequest(name, Spec())).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(api.Delete(name).error_code() == grpc::StatusCode::NOT_FOUND);
    CHECK(Revisions(name) == 0);
  }
  SECTION("stale expected_generation on update and delete") {
    REQUIRE(api.Create(name, Spec()).ok());
    REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:2"))).ok());
    auto update = api.Update(UpdateRequest(name, Spec("nebtest/busybox:3"), {}, 1));
    CHECK(update.error_code() == grpc::StatusCode::ABORTED);
    CHECK(update.error_message().find("generation 2") != std::string::npos);
    CHECK(api.Delete(name, 1).error_code() == grpc::StatusCode::ABORTED);
    App got;
    REQUIRE(api.Get(name, &got).ok());
    CHECK(got.generation() == 2);
    CHECK(got.spec().image() == "nebtest/busybox:2");
    CHECK(Revisions(name) == 2);
  }
  SECTION("a partial update that leaves an invalid spec") {
    REQUIRE(api.Create(name, Spec()).ok());
    auto status = api.Update(UpdateRequest(name, AppSpec(), {"spec.image"}));
    CHECK(ViolationFields(status) == std::vector<std::string>{"app.spec.image"});
    auto mask = api.Update(UpdateRequest(name, Spec(), {"generation"}));
    CHECK(ViolationFields(mask) == std::vector<std::string>{"update_mask.paths[0]"});
    App got;
    REQUIRE(api.Get(name, &got).ok());
    CHECK(got.generation() == 1);
    CHECK(Revisions(name) == 1);
  }
  SECTION("a bad page token") {
    nebula::v1::ListAppsResponse response;
    CHECK(ViolationFields(api.List(10, "not-a-token!", &response)) == std::vector<std::string>{"page_token"});
  }
}

TEST_CASE("ListApps pages through all apps in name order", "[integration]") {
  Api api;
  std::vector<std::string> mine;
  for (const char* suffix : {"c", "a", "e", "b", "d"}) {
    mine.push_back(UniqueName("list") + "-" + suffix);
    REQUIRE(api.Create(mine.back(), Spec()).ok());
  }
  REQUIRE(api.Delete(mine[4]).ok());  // "-d": deleted apps are not listed

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    nebula::v1::ListAppsResponse page;
    REQUIRE(api.List(2, token, &page).ok());
    REQUIRE(page.apps_size() <= 2);
    for (const auto& app : page.apps()) seen.push_back(app.name());
    token = page.next_page_token();
  } while (!token.empty() && ++pages < 10000);
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
  for (size_t i = 0; i < 4; ++i) {
    INFO(mine[i]);
    CHECK(std::count(seen.begin(), seen.end(), mine[i]) == 1);
  }
  CHECK(std::count(seen.begin(), seen.end(), mine[4]) == 0);
}

TEST_CASE("the newest record of an app on nebula.desired carries its newest generation", "[integration]") {
  Api api;
  const std::string name = UniqueName("topic");
  const std::string key = nebula::AppKey(name);
  REQUIRE(api.Create(name, Spec()).ok());
  REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:2"))).ok());
  App latest;
  REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:3")), &latest).ok());
  REQUIRE(latest.generation() == 3);

  auto snapshot = AwaitLastRecord(name, [](const TopicRecord& r) { return HasGeneration(r, 3); });
  const auto& records = snapshot.by_key.at(key);
  auto state = ParseState(records.back());
  CHECK(state.key() == key);
  CHECK_FALSE(state.deleted());
  CHECK(state.app().spec().image() == "nebtest/busybox:3");
  CHECK(state.app().SerializeAsString() == latest.SerializeAsString());
  CHECK(state.commit_time().seconds() > 0);
  // Generations never go backwards along the key, and the producer's partitioner agrees with ours.
  int64_t previous = 0;
  for (const auto& r : records) {
    CHECK(r.partition == nebula::PartitionForKey(key, snapshot.partitions));
    int64_t generation = ParseState(r).generation();
    CHECK(generation >= previous);
    previous = generation;
  }

  SECTION("a delete ends the key with a deleted envelope and then a tombstone") {
    int64_t deleted_at = 0;
    REQUIRE(api.Delete(name, 0, &deleted_at).ok());
    snapshot = AwaitLastRecord(name, [](const TopicRecord& r) { return !r.value.has_value(); });
    const auto& after = snapshot.by_key.at(key);
    REQUIRE(after.size() >= 2);
    CHECK(HasGeneration(after[after.size() - 2], deleted_at, true));

    App recreated;
    REQUIRE(api.Create(name, Spec(), &recreated).ok());
    CHECK(recreated.generation() == deleted_at + 1);
    AwaitLastRecord(name, [&](const TopicRecord& r) { return HasGeneration(r, deleted_at + 1); });
  }
}

TEST_CASE("concurrent writers get distinct generations and the topic ends with the last", "[integration]") {
  Api api;
  const std::string name = UniqueName("race");
  REQUIRE(api.Create(name, Spec()).ok());
  constexpr int kWriters = 4;
  constexpr int kUpdatesEach = 5;
  std::vector<std::future<std::vector<int64_t>>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::async(std::launch::async, [&, w] {
      Api own;
      std::vector<int64_t> generations;
      for (int i = 0; i < kUpdatesEach; ++i) {
        AppSpec spec = Spec();
        (*spec.mutable_env())["WRITER"] = std::to_string(w * 100 + i);
        App app;
        auto status = own.Update(UpdateRequest(name, spec), &app);
        if (status.ok()) generations.push_back(app.generation());
      }
      return generations;
    }));
  }
  std::set<int64_t> all;
  for (auto& w : writers)
    for (int64_t g : w.get()) CHECK(all.insert(g).second);
  CHECK(all.size() == kWriters * kUpdatesEach);
  const int64_t last = 1 + kWriters * kUpdatesEach;
  CHECK(*all.rbegin() == last);
  CHECK(Revisions(name) == last);
  AwaitLastRecord(name, [&](const TopicRecord& r) { return HasGeneration(r, last); });
}

TEST_CASE("the outbox drains once records are delivered", "[integration]") {
  Api api;
  const std::string name = UniqueName("drain");
  REQUIRE(api.Create(name, Spec()).ok());
  CHECK(nebula::testing::Eventually(
      [&] { return CountRows("SELECT count(*) FROM outbox WHERE key = $1", nebula::AppKey(name)) == 0; }, 30s));
}

TEST_CASE("the gRPC health service reports the API as serving", "[integration]") {
  auto channel = grpc::CreateChannel(Stack().endpoint, grpc::InsecureChannelCredentials());
  grpc::GenericStub generic(channel);
  // grpc.health.v1.HealthCheckRequest{service: "nebula.v1.ApiManager"}, encoded by hand.
  const std::string service = "nebula.v1.ApiManager";
  std::string request_bytes = std::string(1, '\x0a') + char(service.size()) + service;
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 10s);
  std::promise<grpc::Status> done;
  generic.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) { done.set_value(s); });
  auto status = done.get_future().get();
  REQUIRE(status.ok());
  std::vector<grpc::Slice> slices;
  REQUIRE(response.Dump(&slices).ok());
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  CHECK(bytes == std::string("\x08\x01", 2));  // status: SERVING
}

TEST_CASE("replicas share the database, the relay fails over and shutdown is graceful", "[integration]") {
  const auto& stack = Stack();
  const std::string binary = stack.bin_dir + "/nebula-api-manager";
  const std::string endpoint = "127.0.0.1:" + std::to_string(nebula::testing::TestPort(11));
  nebula::testing::BackgroundProcess replica({binary},
                                             {{"NEBULA_LISTEN", endpoint},
                                              {"NEBULA_DATABASE_URL", stack.database_url},
                                              {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers},
                                              {"NEBULA_LOG_LEVEL", "debug"},
                                              {"NEBULA_SIGNING_KEY_FILE", stack.signing_key}},
                                             stack.state_dir + "/api-manager-replica.log");
  Api api;
  api.stub = Connect(endpoint);
  const std::string name = UniqueName("replica");
  REQUIRE(
      nebula::testing::Eventually([&] { return api.Get("probe").error_code() == grpc::StatusCode::NOT_FOUND; }, 60s));

  // Kill the database session of whichever replica holds the relay lock: another one takes over.
  pqxx::connection conn(stack.database_url);
  auto terminated = pqxx::nontransaction(conn).exec("SELECT pg_terminate_backend(pid) " + kRelayLockHolders);
  CHECK(terminated.size() == 1);

  REQUIRE(api.Create(name, Spec()).ok());
  AwaitLastRecord(name, [](const TopicRecord& r) { return HasGeneration(r, 1); });
  // Exactly one relay again.
  CHECK(nebula::testing::Eventually(
      [&] { return pqxx::nontransaction(conn).exec("SELECT count(*) " + kRelayLockHolders)[0][0].as<int64_t>() == 1; },
      10s));

  INFO(replica.LogTail());
  CHECK(replica.Stop() == 0);
  CHECK(replica.LogTail().find("stopped") != std::string::npos);
}

TEST_CASE("replicas starting at once on an empty database migrate it exactly once", "[integration]") {
  const auto& stack = Stack();
  const std::string database = UniqueName("migrate_once");
  {
    pqxx::connection admin(stack.database_url);
    pqxx::nontransaction(admin).exec("CREATE DATABASE \"" + database + "\"");
  }
  const std::string url = WithDatabase(stack.database_url, database);
  std::vector<std::unique_ptr<nebula::testing::BackgroundProcess>> replicas;
  std::vector<std::string> endpoints;
  for (int i = 0; i < 3; ++i) {
    endpoints.push_back("127.0.0.1:" + std::to_string(nebula::testing::TestPort(12 + i)));
    replicas.push_back(std::make_unique<nebula::testing::BackgroundProcess>(
        std::vector<std::string>{stack.bin_dir + "/nebula-api-manager"},
        std::map<std::string, std::string>{{"NEBULA_LISTEN", endpoints.back()},
                                           {"NEBULA_DATABASE_URL", url},
                                           {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers},
                                           {"NEBULA_SIGNING_KEY_FILE", stack.signing_key}},
        stack.state_dir + "/api-manager-migrate-" + std::to_string(i) + ".log"));
  }
  for (const auto& endpoint : endpoints) {
    Api api;
    api.stub = Connect(endpoint);
    CHECK(
        nebula::testing::Eventually([&] { return api.Get("probe").error_code() == grpc::StatusCode::NOT_FOUND; }, 60s));
  }
  // One row per file in services/api-manager/migrations: as many as the stack's own database holds,
  // which the same binary migrated.
  const int64_t migrations = CountRows("SELECT count(*) FROM schema_migrations WHERE name <> $1", "");
  CHECK(migrations >= 3);
  CHECK(CountRows("SELECT count(*) FROM schema_migrations WHERE name <> $1", "", url) == migrations);
  Api api;
  api.stub = Connect(endpoints[1]);
  App app;
  REQUIRE(api.Create(UniqueName("fresh"), Spec(), &app).ok());
  CHECK(app.generation() == 1);
  for (auto& r : replicas) {
    INFO(r->LogTail());
    CHECK(r->Stop() == 0);
  }
  pqxx::connection admin(stack.database_url);
  pqxx::nontransaction(admin).exec("DROP DATABASE \"" + database + "\"");
}

TEST_CASE("lost database sessions are replaced without failing calls", "[integration]") {
  Api api;
  const std::string name = UniqueName("reconnect");
  REQUIRE(api.Create(name, Spec()).ok());
  // Every session of every api-manager (pool and relay), as a database restart would.
  {
    pqxx::connection conn(Stack().database_url);
    auto killed = pqxx::nontransaction(conn).exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'nebula-api-manager%' "
        "AND datname = current_database()");
    CHECK(killed.size() >= 2);
  }
  App got;
  REQUIRE(api.Get(name, &got).ok());
  CHECK(got.generation() == 1);
  App updated;
  REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:2")), &updated).ok());
  CHECK(updated.generation() == 2);
  // The relay reconnected too.
  AwaitLastRecord(name, [](const TopicRecord& r) { return HasGeneration(r, 2); });
}
