// The app read cache across replicas: two extra nebula-api-managers (A and B) over the stack's one
// database. Read-your-writes on the replica that wrote; the other replica within the staleness
// bound (2 s default); reads really served from memory (they answer while the apps table is locked);
// and a reload after the cache's database session is killed (notifications sent meanwhile are lost).
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include <pqxx/pqxx>

#include <future>

#include "nebula/v1/api_manager.grpc.pb.h"
#include "stack_fixture.h"

using namespace std::chrono_literals;
namespace nt = nebula::testing;
using nebula::v1::ApiManager;

namespace {

constexpr auto kStalenessBound = 2000ms;

struct Replica {
  Replica(const nt::StackInfo& stack, int port_offset, const std::string& name)
      : endpoint("127.0.0.1:" + std::to_string(nt::TestPort(port_offset))),
        process({stack.bin_dir + "/nebula-api-manager"},
                {{"NEBULA_LISTEN", endpoint},
                 {"NEBULA_SIGNING_KEY_FILE", stack.signing_key},
                 {"NEBULA_DATABASE_URL", stack.database_url},
                 {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers},
                 {"NEBULA_LOG_LEVEL", "info"}},
                stack.state_dir + "/api-manager-" + name + ".log"),
        stub(ApiManager::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()))) {}

  std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + 20s);
    return context;
  }

  grpc::Status Get(const std::string& name, nebula::v1::App* app) {
    nebula::v1::GetAppRequest request;
    request.set_name(name);
    return stub->GetApp(Context().get(), request, app);
  }

  // The app's generation, 0 if NOT_FOUND, -1 on any other error.
  int64_t Generation(const std::string& name) {
    nebula::v1::App app;
    grpc::Status status = Get(name, &app);
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return 0;
    return status.ok() ? app.generation() : -1;
  }

  nebula::v1::App Create(const std::string& name) {
    nebula::v1::CreateAppRequest request;
    request.mutable_app()->set_name(name);
    request.mutable_app()->mutable_spec()->set_image("nebtest/busybox:1");
    request.mutable_app()->mutable_spec()->set_running(false);
    nebula::v1::App app;
    grpc::Status status = stub->CreateApp(Context().get(), request, &app);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return app;
  }

  nebula::v1::App Update(const std::string& name, const std::string& image) {
    nebula::v1::UpdateAppRequest request;
    request.mutable_app()->set_name(name);
    request.mutable_app()->mutable_spec()->set_image(image);
    request.mutable_app()->mutable_spec()->set_running(false);
    nebula::v1::App app;
    grpc::Status status = stub->UpdateApp(Context().get(), request, &app);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return app;
  }

  int64_t Delete(const std::string& name) {
    nebula::v1::DeleteAppRequest request;
    request.set_name(name);
    nebula::v1::DeleteAppResponse response;
    grpc::Status status = stub->DeleteApp(Context().get(), request, &response);
    INFO(status.error_message());
    REQUIRE(status.ok());
    return response.generation();
  }

  std::vector<std::string> ListNames() {
    std::vector<std::string> names;
    nebula::v1::ListAppsRequest request;
    request.set_page_size(2);  // several pages
    while (true) {
      nebula::v1::ListAppsResponse response;
      grpc::Status status = stub->ListApps(Context().get(), request, &response);
      if (!status.ok()) return {"error: " + status.error_message()};
      for (const auto& app : response.apps()) names.push_back(app.name());
      if (response.next_page_token().empty()) return names;
      request.set_page_token(response.next_page_token());
    }
  }

  bool Ready() { return Generation("cache-ready-probe") == 0; }

  std::string endpoint;
  nt::BackgroundProcess process;
  std::unique_ptr<ApiManager::Stub> stub;
};

// How long until replica's generation of name reaches at least generation (or -1ms if never in 10 s).
std::chrono::milliseconds TimeUntilSeen(Replica& replica, const std::string& name, int64_t generation,
                                        bool gone = false) {
  auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 10s) {
    int64_t seen = replica.Generation(name);
    if (gone ? seen == 0 : seen >= generation)
      return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::this_thread::sleep_for(2ms);
  }
  return -1ms;
}

int CountInLog(const nt::BackgroundProcess& process, const std::string& text) {
  std::string log = nt::ReadFile(process.log_path());
  int count = 0;
  for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++count;
  return count;
}

struct TwoReplicas {
  TwoReplicas() : stack(nt::SharedStack()), a(stack, 0, "cache-a"), b(stack, 1, "cache-b") {
    REQUIRE(nt::Eventually([&] { return a.Ready() && b.Ready(); }, 60s));
    // Serving from memory once the first reload is logged.
    REQUIRE(nt::Eventually([&] { return CountInLog(a.process, "app cache loaded") >= 1; }, 20s));
    REQUIRE(nt::Eventually([&] { return CountInLog(b.process, "app cache loaded") >= 1; }, 20s));
  }
  const nt::StackInfo& stack;
  Replica a;
  Replica b;
};

}  // namespace

TEST_CASE("the replica that wrote reads its writes at once and the other within the bound", "[integration]") {
  TwoReplicas r;
  const std::string name = "cache-ryw";
  int64_t generation = r.a.Create(name).generation();
  CHECK(r.a.Generation(name) == generation);
  auto seen = TimeUntilSeen(r.b, name, generation);
  CHECK(seen >= 0ms);
  CHECK(seen < kStalenessBound);
  for (int i = 0; i < 30; ++i) {
    nebula::v1::App written = r.a.Update(name, "nebtest/busybox:" + std::to_string(i));
    nebula::v1::App read;
    REQUIRE(r.a.Get(name, &read).ok());
    CHECK(read.generation() == written.generation());  // never an older one on A
    CHECK(read.spec().image() == written.spec().image());
    generation = written.generation();
  }
  seen = TimeUntilSeen(r.b, name, generation);
  CHECK(seen >= 0ms);
  CHECK(seen < kStalenessBound);
  nebula::v1::App on_b;
  REQUIRE(r.b.Get(name, &on_b).ok());
  CHECK(on_b.spec().image() == "nebtest/busybox:29");

  // Written on B, read on A; listed by both; deleted on B, gone on A.
  r.b.Create("cache-ryw-2");
  CHECK(r.b.Generation("cache-ryw-2") == 1);
  CHECK(TimeUntilSeen(r.a, "cache-ryw-2", 1) < kStalenessBound);
  for (Replica* replica : {&r.a, &r.b}) {
    auto names = replica->ListNames();
    CHECK(std::count(names.begin(), names.end(), name) == 1);
    CHECK(std::count(names.begin(), names.end(), "cache-ryw-2") == 1);
    CHECK(std::is_sorted(names.begin(), names.end()));
  }
  r.b.Delete("cache-ryw-2");
  CHECK(r.b.Generation("cache-ryw-2") == 0);
  auto gone = TimeUntilSeen(r.a, "cache-ryw-2", 0, true);
  CHECK(gone >= 0ms);
  CHECK(gone < kStalenessBound);
  auto names = r.a.ListNames();
  CHECK(std::count(names.begin(), names.end(), "cache-ryw-2") == 0);
  // Re-created past its deletion: visible again on the other replica.
  int64_t recreated = r.a.Create("cache-ryw-2").generation();
  CHECK(recreated == 3);
  CHECK(TimeUntilSeen(r.b, "cache-ryw-2", recreated) < kStalenessBound);
}

TEST_CASE("cached reads do not touch the apps table", "[integration]") {
  TwoReplicas r;
  r.a.Create("cache-locked");
  REQUIRE(TimeUntilSeen(r.b, "cache-locked", 1) >= 0ms);
  pqxx::connection conn(r.stack.database_url);
  pqxx::work tx(conn);
  tx.exec("LOCK TABLE apps IN ACCESS EXCLUSIVE MODE");  // a database read of apps would wait 10 s
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    CHECK(r.a.Generation("cache-locked") == 1);
    CHECK(r.b.Generation("cache-locked") == 1);
    CHECK(r.b.Generation("cache-never-created") == 0);
  }
  CHECK(std::chrono::steady_clock::now() - start < 2s);
  tx.abort();
}

TEST_CASE("a killed cache session reloads and serves what changed while it was gone", "[integration]") {
  TwoReplicas r;
  const std::string name = "cache-reconnect";
  int64_t generation = r.a.Create(name).generation();
  REQUIRE(TimeUntilSeen(r.b, name, generation) >= 0ms);
  const int loads_before = CountInLog(r.b.process, "app cache loaded");
  for (int round = 0; round < 3; ++round) {
    INFO("round " << round);
    {
      pqxx::connection conn(r.stack.database_url);
      pqxx::nontransaction tx(conn);
      auto killed = tx.exec(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE application_name = 'nebula-api-manager app cache'");
      CHECK(killed.size() >= 2);
    }
    // Written while the cache sessions are down (or being re-established): no notification reaches
    // them, yet B must show it within the bound, and A at once.
    generation = r.a.Update(name, "nebtest/busybox:r" + std::to_string(round)).generation();
    CHECK(r.a.Generation(name) == generation);
    auto seen = TimeUntilSeen(r.b, name, generation);
    CHECK(seen >= 0ms);
    CHECK(seen < kStalenessBound);
    std::this_thread::sleep_for(1500ms);  // the reload (backoff 200 ms) is done
    CHECK(r.b.Generation(name) == generation);
  }
  CHECK(nt::Eventually([&] { return CountInLog(r.b.process, "app cache loaded") >= loads_before + 3; }, 10s));
  CHECK(CountInLog(r.b.process, "reads go to the database until the cache is reloaded") >= 3);
  // Back on notifications after the reloads.
  generation = r.b.Update(name, "nebtest/busybox:after").generation();
  CHECK(TimeUntilSeen(r.a, name, generation) < kStalenessBound);
}
