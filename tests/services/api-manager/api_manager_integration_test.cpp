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

#include "desired_keys.h"
#include "grpc_status.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/desired_state.pb.h"
#include "partitioner.h"
#include "stack_fixture.h"

using nebula::v1::App;
using nebula::v1::AppSpec;
using namespace std::chrono_literals;

namespace {

// pg_names.h: the advisory lock the one active outbox relay holds (per database).
constexpr int64_t kRelayLockKey = 0x6e6562756c610002;
const std::string kRelayLockHolders =
    "FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND ((classid::bigint << 32) | objid::bigint) = " +
    std::to_string(kRelayLockKey);

const nebula::testing::StackInfo& Stack() { return nebula::testing::SharedStack(); }

// Names unique per test run, so reruns against a reused stack never collide.
std::string UniqueName(const std::string& prefix) {
  static const std::string run = [] {
    std::random_device rd;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06x", rd() & 0xffffff);
    return std::string(buf);
  }();
  return prefix + "-" + run;
}

std::unique_ptr<nebula::v1::ApiManager::Stub> Connect(const std::string& endpoint) {
  return nebula::v1::ApiManager::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
}

struct Api {
  std::unique_ptr<nebula::v1::ApiManager::Stub> stub = Connect(Stack().endpoint);

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + 30s);
    return context;
  }
  grpc::Status Create(const std::string& name, const AppSpec& spec, App* out = nullptr) {
    nebula::v1::CreateAppRequest request;
    request.mutable_app()->set_name(name);
    *request.mutable_app()->mutable_spec() = spec;
    App response;
    auto status = stub->CreateApp(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Get(const std::string& name, App* out = nullptr) {
    nebula::v1::GetAppRequest request;
    request.set_name(name);
    App response;
    auto status = stub->GetApp(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Update(const nebula::v1::UpdateAppRequest& request, App* out = nullptr) {
    App response;
    auto status = stub->UpdateApp(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Delete(const std::string& name, int64_t expected = 0, int64_t* generation = nullptr) {
    nebula::v1::DeleteAppRequest request;
    request.set_name(name);
    request.set_expected_generation(expected);
    nebula::v1::DeleteAppResponse response;
    auto status = stub->DeleteApp(Context().get(), request, &response);
    if (generation) *generation = response.generation();
    return status;
  }
  grpc::Status List(int32_t page_size, const std::string& token, nebula::v1::ListAppsResponse* out) {
    nebula::v1::ListAppsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    return stub->ListApps(Context().get(), request, out);
  }
};

AppSpec Spec(const std::string& image = "nebtest/busybox:1") {
  AppSpec spec;
  spec.set_image(image);
  return spec;
}

nebula::v1::UpdateAppRequest UpdateRequest(const std::string& name, const AppSpec& spec,
                                           std::initializer_list<const char*> mask = {}, int64_t expected = 0) {
  nebula::v1::UpdateAppRequest request;
  request.mutable_app()->set_name(name);
  *request.mutable_app()->mutable_spec() = spec;
  for (const char* path : mask) request.mutable_update_mask()->add_paths(path);
  request.set_expected_generation(expected);
  return request;
}

std::vector<std::string> ViolationFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  try {
    nebula::ThrowIfError(status);
  } catch (const nebula::Error& e) {
    for (const auto& v : e.violations()) fields.push_back(v.field);
  }
  return fields;
}

// --- PostgreSQL -----------------------------------------------------------------------------

int64_t CountRows(const std::string& sql, const std::string& param, const std::string& url = Stack().database_url) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx.exec_params(sql, param)[0][0].as<int64_t>();
}

int64_t Revisions(const std::string& name) {
  return CountRows("SELECT count(*) FROM app_revisions WHERE name = $1", name);
}

// The same server, another database: URI (postgresql://host/db) or conninfo (host=... dbname=...).
std::string WithDatabase(const std::string& url, const std::string& database) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + database;
  size_t path = url.find('/', scheme + 3);
  size_t query = url.find('?', scheme + 3);
  std::string base = url.substr(0, std::min(path, query));
  return base + "/" + database + (query == std::string::npos ? "" : url.substr(query));
}

// --- Kafka ----------------------------------------------------------------------------------

struct TopicRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> value;  // nullopt = tombstone
};

struct TopicSnapshot {
  int32_t partitions = 0;
  std::map<std::string, std::vector<TopicRecord>> by_key;  // in offset order
};

// Reads nebula.desired from the start to the end of every partition, with a plain consumer (manual
// assignment, no group commits), the way agents read it.
TopicSnapshot ReadDesiredTopic() {
  std::string errstr;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", Stack().kafka_brokers, errstr);
  conf->set("group.id", "api-manager-integration-test", errstr);
  conf->set("enable.auto.commit", "false", errstr);
  conf->set("enable.partition.eof", "true", errstr);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  REQUIRE(consumer);
  const std::string topic(nebula::kDesiredTopic);
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, errstr));
  RdKafka::Metadata* raw = nullptr;
  REQUIRE(consumer->metadata(false, handle.get(), &raw, 10000) == RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  REQUIRE(metadata->topics()->size() == 1);
  TopicSnapshot snapshot;
  snapshot.partitions = static_cast<int32_t>(metadata->topics()->at(0)->partitions()->size());
  REQUIRE(snapshot.partitions > 0);

  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t p = 0; p < snapshot.partitions; ++p)
    assignment.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  REQUIRE(consumer->assign(assignment) == RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(assignment);

  std::set<int32_t> at_end;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (int32_t(at_end.size()) < snapshot.partitions && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      at_end.insert(m->partition());
    } else if (m->err() == RdKafka::ERR_NO_ERROR) {
      at_end.erase(m->partition());
      TopicRecord record{m->partition(), m->offset(), std::nullopt};
      if (m->payload()) record.value = std::string(static_cast<const char*>(m->payload()), m->len());
      snapshot.by_key[m->key() ? *m->key() : ""].push_back(std::move(record));
    }
  }
  consumer->close();
  REQUIRE(int32_t(at_end.size()) == snapshot.partitions);
  return snapshot;
}

nebula::v1::DesiredState ParseState(const TopicRecord& record) {
  nebula::v1::DesiredState state;
  REQUIRE(record.value.has_value());
  REQUIRE(state.ParseFromString(*record.value));
  return state;
}

// Waits until the last record for the app's key satisfies pred; returns the final snapshot.
TopicSnapshot AwaitLastRecord(const std::string& app, const std::function<bool(const TopicRecord&)>& pred) {
  const std::string key = nebula::AppKey(app);
  TopicSnapshot snapshot;
  bool ok = nebula::testing::Eventually(
      [&] {
        snapshot = ReadDesiredTopic();
        auto it = snapshot.by_key.find(key);
        return it != snapshot.by_key.end() && pred(it->second.back());
      },
      60s, 500ms);
  INFO("key " << key << ": " << snapshot.by_key[key].size() << " records");
  REQUIRE(ok);
  return snapshot;
}

bool HasGeneration(const TopicRecord& r, int64_t generation, bool deleted = false) {
  if (!r.value) return false;
  nebula::v1::DesiredState state;
  return state.ParseFromString(*r.value) && state.generation() == generation && state.deleted() == deleted;
}

}  // namespace

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
  nebula::testing::BackgroundProcess replica(
      {binary}, {{"NEBULA_LISTEN", endpoint}, {"NEBULA_DATABASE_URL", stack.database_url},
                 {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers}, {"NEBULA_LOG_LEVEL", "debug"}},
      stack.state_dir + "/api-manager-replica.log");
  Api api;
  api.stub = Connect(endpoint);
  const std::string name = UniqueName("replica");
  REQUIRE(nebula::testing::Eventually([&] { return api.Get("probe").error_code() == grpc::StatusCode::NOT_FOUND; },
                                      60s));

  // Kill the database session of whichever replica holds the relay lock: another one takes over.
  pqxx::connection conn(stack.database_url);
  auto terminated = pqxx::nontransaction(conn).exec("SELECT pg_terminate_backend(pid) " + kRelayLockHolders);
  CHECK(terminated.size() == 1);

  REQUIRE(api.Create(name, Spec()).ok());
  AwaitLastRecord(name, [](const TopicRecord& r) { return HasGeneration(r, 1); });
  // Exactly one relay again.
  CHECK(nebula::testing::Eventually(
      [&] {
        return pqxx::nontransaction(conn).exec("SELECT count(*) " + kRelayLockHolders)[0][0].as<int64_t>() == 1;
      },
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
                                           {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers}},
        stack.state_dir + "/api-manager-migrate-" + std::to_string(i) + ".log"));
  }
  for (const auto& endpoint : endpoints) {
    Api api;
    api.stub = Connect(endpoint);
    CHECK(nebula::testing::Eventually(
        [&] { return api.Get("probe").error_code() == grpc::StatusCode::NOT_FOUND; }, 60s));
  }
  // One row per file in services/api-manager/migrations (0001_initial, 0002_workers).
  CHECK(CountRows("SELECT count(*) FROM schema_migrations WHERE name <> $1", "", url) == 2);
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
