// ApiService over a real (in-process) gRPC channel and the in-memory store: status codes, field
// violations in google.rpc.BadRequest, partial updates, paging.
#include "api-manager/grpc/api_service.h"

#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include "common/grpc_status.h"
#include "api-manager/access/open_authenticator.h"
#include "store/memory_app_store.h"
#include "store/memory_resource_store.h"
#include "store/memory_worker_store.h"

using nebula::v1::App;
using nebula::v1::AppSpec;
namespace am = nebula::api_manager;

namespace {

class ServiceFixture {
 public:
  ServiceFixture() : service_(store_, resources_, workers_, authenticator_) {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    stub_ = nebula::v1::ApiManager::NewStub(server_->InProcessChannel(grpc::ChannelArguments()));
  }
  ~ServiceFixture() { server_->Shutdown(); }

  grpc::Status Create(const std::string& name, const AppSpec& spec, App* out = nullptr) {
    nebula::v1::CreateAppRequest request;
    request.mutable_app()->set_name(name);
    *request.mutable_app()->mutable_spec() = spec;
    return Create(request, out);
  }
  grpc::Status Create(const nebula::v1::CreateAppRequest& request, App* out = nullptr) {
    App response;
    grpc::ClientContext context;
    auto status = stub_->CreateApp(&context, request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Get(const std::string& name, App* out = nullptr) {
    nebula::v1::GetAppRequest request;
    request.set_name(name);
    App response;
    grpc::ClientContext context;
    auto status = stub_->GetApp(&context, request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Update(const nebula::v1::UpdateAppRequest& request, App* out = nullptr) {
    App response;
    grpc::ClientContext context;
    auto status = stub_->UpdateApp(&context, request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Delete(const std::string& name, int64_t expected = 0, int64_t* generation = nullptr) {
    nebula::v1::DeleteAppRequest request;
    request.set_name(name);
    request.set_expected_generation(expected);
    nebula::v1::DeleteAppResponse response;
    grpc::ClientContext context;
    auto status = stub_->DeleteApp(&context, request, &response);
    if (generation) *generation = response.generation();
    return status;
  }
  grpc::Status List(int32_t page_size, const std::string& token, nebula::v1::ListAppsResponse* out) {
    nebula::v1::ListAppsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    grpc::ClientContext context;
    return stub_->ListApps(&context, request, out);
  }

  am::testing::MemoryAppStore& store() { return store_; }
  am::testing::MemoryResourceStore& resources() { return resources_; }
  am::testing::FixedAuthenticator& authenticator() { return authenticator_; }
  am::testing::MemoryWorkerStore& workers() { return workers_; }
  nebula::v1::ApiManager::Stub& stub() { return *stub_; }

 private:
  am::testing::MemoryAppStore store_;
  am::testing::MemoryResourceStore resources_;
  am::testing::MemoryWorkerStore workers_;
  am::testing::FixedAuthenticator authenticator_{am::OpenAuthenticator().Authenticate("")};
  am::ApiService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<nebula::v1::ApiManager::Stub> stub_;
};

AppSpec Spec(const std::string& image = "nginx:1.25") {
  AppSpec spec;
  spec.set_image(image);
  return spec;
}

// The field violations a status carries (decoded like any client would).
std::vector<nebula::FieldViolation> Violations(const grpc::Status& status) {
  try {
    nebula::ThrowIfError(status);
  } catch (const nebula::Error& e) {
    return e.violations();
  }
  return {};
}

std::vector<std::string> Fields(const grpc::Status& status) {
  std::vector<std::string> fields;
  for (const auto& v : Violations(status)) fields.push_back(v.field);
  return fields;
}

nebula::v1::UpdateAppRequest MaskedUpdate(const std::string& name, const AppSpec& spec,
                                          std::initializer_list<const char*> paths) {
  nebula::v1::UpdateAppRequest request;
  request.mutable_app()->set_name(name);
  *request.mutable_app()->mutable_spec() = spec;
  for (const char* p : paths) request.mutable_update_mask()->add_paths(p);
  return request;
}

}  // namespace

TEST_CASE("CreateApp starts at generation 1 and records who wrote it and how") {
  ServiceFixture f;
  App app;
  REQUIRE(f.Create("web", Spec(), &app).ok());
  CHECK(app.name() == "web");
  CHECK(app.generation() == 1);
  CHECK(app.spec().image() == "nginx:1.25");
  REQUIRE(f.store().writes().size() == 1);
  CHECK(f.store().writes()[0].actor == "anonymous");
  CHECK(f.store().writes()[0].action == "CreateApp");

  App got;
  REQUIRE(f.Get("web", &got).ok());
  CHECK(got.SerializeAsString() == app.SerializeAsString());
}

TEST_CASE("CreateApp refusals name the field and write nothing") {
  ServiceFixture f;
  SECTION("bad spec") {
    AppSpec spec = Spec();
    auto* port = spec.add_ports();
    port->set_host_port(70000);
    port->set_container_port(80);
    auto status = f.Create("web", spec);
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(Fields(status) == std::vector<std::string>{"app.spec.ports[0].host_port"});
    CHECK(status.error_message().find("app.spec.ports[0].host_port") != std::string::npos);
  }
  SECTION("missing spec") {
    nebula::v1::CreateAppRequest request;
    request.mutable_app()->set_name("web");
    CHECK(Fields(f.Create(request)) == std::vector<std::string>{"app.spec"});
  }
  SECTION("empty spec") { CHECK(Fields(f.Create("web", AppSpec())) == std::vector<std::string>{"app.spec.image"}); }
  SECTION("bad name and bad spec together") {
    auto status = f.Create("Web!", Spec("UPPER"));
    CHECK(Fields(status) == std::vector<std::string>{"app.name", "app.spec.image"});
  }
  CHECK(f.store().writes().empty());
}

TEST_CASE("CreateApp of an existing app is ALREADY_EXISTS") {
  ServiceFixture f;
  REQUIRE(f.Create("web", Spec()).ok());
  CHECK(f.Create("web", Spec()).error_code() == grpc::StatusCode::ALREADY_EXISTS);
  CHECK(f.store().writes().size() == 1);
}

TEST_CASE("GetApp checks the name, then looks it up") {
  ServiceFixture f;
  CHECK(f.Get("nope").error_code() == grpc::StatusCode::NOT_FOUND);
  auto bad = f.Get("");
  CHECK(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(Fields(bad) == std::vector<std::string>{"name"});
}

TEST_CASE("GetApp answers inline when neither the store nor the authenticator can block") {
  ServiceFixture f;
  f.store().reads_from_memory = true;
  f.authenticator().never_blocks = true;
  REQUIRE(f.Create("web", Spec()).ok());
  App app;
  REQUIRE(f.Get("web", &app).ok());
  CHECK(app.generation() == 1);
  CHECK(f.Get("nope").error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.Get("").error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("UpdateApp without a mask replaces the whole spec") {
  ServiceFixture f;
  AppSpec spec = Spec();
  (*spec.mutable_env())["A"] = "1";
  REQUIRE(f.Create("web", spec).ok());
  App app;
  REQUIRE(f.Update(MaskedUpdate("web", Spec("nginx:1.26"), {}), &app).ok());
  CHECK(app.generation() == 2);
  CHECK(app.spec().image() == "nginx:1.26");
  CHECK(app.spec().env().empty());
}

TEST_CASE("UpdateApp with a mask replaces only the listed spec fields") {
  ServiceFixture f;
  AppSpec spec = Spec();
  (*spec.mutable_env())["A"] = "1";
  spec.mutable_containers_per()->set_instance(3);
  REQUIRE(f.Create("web", spec).ok());

  AppSpec patch;
  patch.set_image("nginx:1.27");
  (*patch.mutable_env())["IGNORED"] = "not in the mask";
  App app;
  REQUIRE(f.Update(MaskedUpdate("web", patch, {"spec.image"}), &app).ok());
  CHECK(app.spec().image() == "nginx:1.27");
  CHECK(app.spec().env().at("A") == "1");
  CHECK(app.spec().containers_per().instance() == 3);

  SECTION("a map in the mask is replaced as a whole") {
    AppSpec env_patch;
    (*env_patch.mutable_env())["B"] = "2";
    REQUIRE(f.Update(MaskedUpdate("web", env_patch, {"spec.env"}), &app).ok());
    CHECK(app.spec().env().size() == 1);
    CHECK(app.spec().env().at("B") == "2");
    CHECK(app.spec().image() == "nginx:1.27");
  }
  SECTION("a listed field missing from the request is reset to its default") {
    REQUIRE(f.Update(MaskedUpdate("web", AppSpec(), {"spec.containers_per", "spec.env"}), &app).ok());
    CHECK_FALSE(app.spec().has_containers_per());
    CHECK(app.spec().env().empty());
  }
  SECTION("\"spec\" replaces everything") {
    REQUIRE(f.Update(MaskedUpdate("web", Spec("busybox"), {"spec"}), &app).ok());
    CHECK(app.spec().SerializeAsString() == Spec("busybox").SerializeAsString());
  }
}

TEST_CASE("UpdateApp refusals write nothing") {
  ServiceFixture f;
  REQUIRE(f.Create("web", Spec()).ok());
  SECTION("a merged spec that is invalid") {
    auto status = f.Update(MaskedUpdate("web", AppSpec(), {"spec.image"}));
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK(Fields(status) == std::vector<std::string>{"app.spec.image"});
  }
  SECTION("mask paths outside the spec or unknown") {
    auto status = f.Update(MaskedUpdate("web", Spec(), {"name", "spec.nope", "spec.env.A", "spec.image"}));
    CHECK(Fields(status) ==
          std::vector<std::string>{"update_mask.paths[0]", "update_mask.paths[1]", "update_mask.paths[2]"});
  }
  SECTION("no mask and no spec") {
    nebula::v1::UpdateAppRequest request;
    request.mutable_app()->set_name("web");
    CHECK(Fields(f.Update(request)) == std::vector<std::string>{"app.spec"});
  }
  SECTION("stale expected_generation") {
    auto request = MaskedUpdate("web", Spec("nginx:2"), {});
    request.set_expected_generation(7);
    auto status = f.Update(request);
    CHECK(status.error_code() == grpc::StatusCode::ABORTED);
    CHECK(status.error_message().find("generation 1") != std::string::npos);
  }
  SECTION("negative expected_generation") {
    auto request = MaskedUpdate("web", Spec("nginx:2"), {});
    request.set_expected_generation(-1);
    CHECK(Fields(f.Update(request)) == std::vector<std::string>{"expected_generation"});
  }
  SECTION("missing app") {
    CHECK(f.Update(MaskedUpdate("other", Spec(), {})).error_code() == grpc::StatusCode::NOT_FOUND);
  }
  App app;
  REQUIRE(f.Get("web", &app).ok());
  CHECK(app.generation() == 1);
  CHECK(f.store().writes().size() == 1);
}

TEST_CASE("UpdateApp with the current expected_generation succeeds") {
  ServiceFixture f;
  REQUIRE(f.Create("web", Spec()).ok());
  auto request = MaskedUpdate("web", Spec("nginx:2"), {});
  request.set_expected_generation(1);
  App app;
  REQUIRE(f.Update(request, &app).ok());
  CHECK(app.generation() == 2);
}

TEST_CASE("DeleteApp bumps the generation and a re-created app continues from it") {
  ServiceFixture f;
  REQUIRE(f.Create("web", Spec()).ok());
  REQUIRE(f.Update(MaskedUpdate("web", Spec("nginx:2"), {})).ok());
  CHECK(f.Delete("web", 1).error_code() == grpc::StatusCode::ABORTED);
  int64_t generation = 0;
  REQUIRE(f.Delete("web", 2, &generation).ok());
  CHECK(generation == 3);
  CHECK(f.Get("web").error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(f.Delete("web").error_code() == grpc::StatusCode::NOT_FOUND);
  App app;
  REQUIRE(f.Create("web", Spec(), &app).ok());
  CHECK(app.generation() == 4);
  CHECK(Fields(f.Delete("")) == std::vector<std::string>{"name"});
}

TEST_CASE("ListApps pages through apps in name order") {
  ServiceFixture f;
  for (const char* name : {"e", "a", "c", "b", "d"}) REQUIRE(f.Create(name, Spec()).ok());
  REQUIRE(f.Delete("c").ok());

  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    nebula::v1::ListAppsResponse page;
    REQUIRE(f.List(2, token, &page).ok());
    CHECK(page.apps_size() <= 2);
    for (const auto& app : page.apps()) seen.push_back(app.name());
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(seen == std::vector<std::string>{"a", "b", "d", "e"});
  CHECK(pages == 2);

  nebula::v1::ListAppsResponse all;
  REQUIRE(f.List(0, "", &all).ok());
  CHECK(all.apps_size() == 4);
  CHECK(all.next_page_token().empty());

  nebula::v1::ListAppsResponse ignored;
  CHECK(Fields(f.List(-1, "", &ignored)) == std::vector<std::string>{"page_size"});
  CHECK(Fields(f.List(0, "garbage!", &ignored)) == std::vector<std::string>{"page_token"});
}

TEST_CASE("ListApps keeps responses under the gRPC message limit") {
  ServiceFixture f;
  AppSpec big = Spec();
  (*big.mutable_env())["BLOB"] = std::string(200 * 1024, 'x');
  for (int i = 0; i < 40; ++i) REQUIRE(f.Create("app-" + std::to_string(100 + i), big).ok());  // ~8 MB in all
  std::string token;
  int total = 0;
  int pages = 0;
  do {
    nebula::v1::ListAppsResponse page;
    REQUIRE(f.List(1000, token, &page).ok());
    CHECK(page.ByteSizeLong() <= am::kMaxListResponseBytes + 256 * 1024);
    total += page.apps_size();
    token = page.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 100);
  CHECK(total == 40);
  CHECK(pages >= 3);
}

TEST_CASE("a spec with many problems reports a bounded list") {
  ServiceFixture f;
  AppSpec spec = Spec();
  for (int i = 0; i < 50; ++i) (*spec.mutable_env())["bad-" + std::to_string(i)] = "x";
  auto status = f.Create("web", spec);
  auto violations = Violations(status);
  REQUIRE(violations.size() == am::kMaxReportedViolations);
  CHECK(violations.back().description.find("41 more problems") != std::string::npos);
  CHECK(status.error_message().size() < 4000);
}

namespace {

// A report of worker id running app "web", folded now.
void Report(ServiceFixture& f, const std::string& id, int64_t observed, int64_t converged,
            std::vector<std::string> errors = {}) {
  nebula::v1::WorkerReport report;
  report.set_worker_id(id);
  report.set_hostname(id + ".host");
  report.add_apps("web");
  auto* r = report.add_app_reports();
  r->set_app("web");
  r->set_observed_generation(observed);
  r->set_converged_generation(converged);
  for (auto& e : errors) r->add_errors(e);
  auto now = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch());
  f.workers().Fold(am::FoldReport(report, now.count()));
}

}  // namespace

TEST_CASE("GetWorker and ListWorkers serve the folded reports") {
  ServiceFixture f;
  for (const char* id : {"c", "a", "b"}) Report(f, id, 1, 1);
  nebula::v1::Worker worker;
  nebula::v1::GetWorkerRequest get;
  get.set_id("b");
  grpc::ClientContext c1;
  REQUIRE(f.stub().GetWorker(&c1, get, &worker).ok());
  CHECK(worker.hostname() == "b.host");
  CHECK(worker.state() == nebula::v1::Worker::ONLINE);
  get.set_id("zz");
  grpc::ClientContext c2;
  CHECK(f.stub().GetWorker(&c2, get, &worker).error_code() == grpc::StatusCode::NOT_FOUND);
  get.set_id("");
  grpc::ClientContext c3;
  auto bad = f.stub().GetWorker(&c3, get, &worker);
  CHECK(bad.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(Fields(bad) == std::vector<std::string>{"id"});

  std::vector<std::string> ids;
  std::string token;
  do {
    nebula::v1::ListWorkersRequest list;
    list.set_page_size(2);
    list.set_page_token(token);
    nebula::v1::ListWorkersResponse page;
    grpc::ClientContext c;
    REQUIRE(f.stub().ListWorkers(&c, list, &page).ok());
    for (const auto& w : page.workers()) ids.push_back(w.id());
    token = page.next_page_token();
  } while (!token.empty());
  CHECK(ids == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("GetAppStatus counts hosts at the app's current generation") {
  ServiceFixture f;
  REQUIRE(f.Create("web", Spec()).ok());  // generation 1
  Report(f, "a", 1, 1);
  Report(f, "b", 1, 0, {"port in use"});
  Report(f, "c", 0, 0);
  nebula::v1::GetAppStatusRequest request;
  request.set_name("web");
  nebula::v1::AppStatus status;
  grpc::ClientContext c1;
  REQUIRE(f.stub().GetAppStatus(&c1, request, &status).ok());
  CHECK(status.generation() == 1);
  CHECK(status.hosts_desired() == 3);
  CHECK(status.hosts_observed() == 2);
  CHECK(status.hosts_converged() == 1);
  CHECK(status.hosts_failed() == 1);
  CHECK(status.rollout() == nebula::v1::AppStatus::FAILED);
  request.set_name("nope");
  grpc::ClientContext c2;
  CHECK(f.stub().GetAppStatus(&c2, request, &status).error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("WatchAppStatus ends once the rollout converged") {
  ServiceFixture f;
  REQUIRE(f.Create("web", Spec()).ok());
  Report(f, "a", 1, 0);
  nebula::v1::WatchAppStatusRequest request;
  request.set_name("web");
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  auto reader = f.stub().WatchAppStatus(&context, request);
  nebula::v1::AppStatus status;
  REQUIRE(reader->Read(&status));
  CHECK(status.rollout() == nebula::v1::AppStatus::PROGRESSING);
  Report(f, "a", 1, 1);
  REQUIRE(reader->Read(&status));
  CHECK(status.rollout() == nebula::v1::AppStatus::CONVERGED);
  CHECK_FALSE(reader->Read(&status));
  CHECK(reader->Finish().ok());
}
