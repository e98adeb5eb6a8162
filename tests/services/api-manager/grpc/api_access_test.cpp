// Access rules of every ApiManager handler (docs/architecture.md "Security") over the in-memory stores: who may read,
// write, prune and audit; list calls show only what the caller may read and still page correctly;
// refused calls write nothing; revisions and audit events record the caller's user.
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include "api-manager/access/open_authenticator.h"
#include "api-manager/grpc/api_service.h"
#include "common/error.h"
#include "store/memory_app_store.h"
#include "store/memory_resource_store.h"
#include "store/memory_worker_store.h"

namespace am = nebula::api_manager;
using am::Access;
using am::ObjectKind;
using grpc::StatusCode;

namespace {

am::Caller User(const std::string& name, std::map<ObjectKind, std::map<std::string, Access>> grants = {},
                bool pruning = false) {
  am::Caller caller;
  caller.user = name;
  caller.grants = std::move(grants);
  caller.pruning_allowed = pruning;
  return caller;
}

class RejectingAuthenticator final : public am::Authenticator {
 public:
  am::Caller Authenticate(std::string_view authorization) override {
    seen = std::string(authorization);
    throw nebula::Error(nebula::ErrorCode::kUnauthenticated, "no credential");
  }
  std::string seen;
};

struct Fixture {
  am::testing::MemoryAppStore store;
  am::testing::MemoryResourceStore resources;
  am::testing::MemoryWorkerStore workers;
  am::testing::FixedAuthenticator auth{am::OpenAuthenticator().Authenticate("")};
  am::ApiService service{store, resources, workers, auth};
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<nebula::v1::ApiManager::Stub> stub;

  Fixture() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    stub = nebula::v1::ApiManager::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  }
  ~Fixture() { server->Shutdown(); }

  template <class Request, class Response, class Method>
  grpc::Status Call(Method method, const Request& request, Response* response) {
    grpc::ClientContext context;
    return ((*stub).*method)(&context, request, response);
  }
  grpc::Status CreateApp(const std::string& name) {
    nebula::v1::CreateAppRequest r;
    r.mutable_app()->set_name(name);
    r.mutable_app()->mutable_spec()->set_image("nginx:1.25");
    nebula::v1::App out;
    return Call(&nebula::v1::ApiManager::Stub::CreateApp, r, &out);
  }
  grpc::Status GetApp(const std::string& name) {
    nebula::v1::GetAppRequest r;
    r.set_name(name);
    nebula::v1::App out;
    return Call(&nebula::v1::ApiManager::Stub::GetApp, r, &out);
  }
  grpc::Status RestartApp(const std::string& name) {
    nebula::v1::RestartAppRequest r;
    r.set_name(name);
    nebula::v1::App out;
    return Call(&nebula::v1::ApiManager::Stub::RestartApp, r, &out);
  }
  grpc::Status CreateGroup(const std::string& name) {
    nebula::v1::CreateDeviceGroupRequest r;
    r.mutable_device_group()->set_name(name);
    nebula::v1::DeviceGroup out;
    return Call(&nebula::v1::ApiManager::Stub::CreateDeviceGroup, r, &out);
  }
  std::vector<std::string> ListAllApps(int page_size) {
    std::vector<std::string> names;
    nebula::v1::ListAppsRequest r;
    r.set_page_size(page_size);
    for (int pages = 0; pages < 100; ++pages) {
      nebula::v1::ListAppsResponse out;
      REQUIRE(Call(&nebula::v1::ApiManager::Stub::ListApps, r, &out).ok());
      for (const auto& app : out.apps()) names.push_back(app.name());
      if (out.next_page_token().empty()) break;
      r.set_page_token(out.next_page_token());
    }
    return names;
  }
};

}  // namespace

TEST_CASE("access: --auth none makes every caller the admin anonymous") {
  am::Caller caller = am::OpenAuthenticator().Authenticate("Bearer whatever");
  CHECK(caller.user == "anonymous");
  CHECK(caller.admin);
  CHECK(caller.pruning_allowed);
  CHECK(caller.CanWrite(ObjectKind::kCronJob, "anything"));
}

TEST_CASE("access: an unauthenticated call is refused before anything is read or written") {
  am::testing::MemoryAppStore store;
  am::testing::MemoryResourceStore resources;
  am::testing::MemoryWorkerStore workers;
  RejectingAuthenticator auth;
  am::ApiService service{store, resources, workers, auth};
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  auto stub = nebula::v1::ApiManager::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer abc.def");
  nebula::v1::CreateAppRequest r;
  r.mutable_app()->set_name("web");
  r.mutable_app()->mutable_spec()->set_image("nginx:1.25");
  nebula::v1::App out;
  CHECK(stub->CreateApp(&context, r, &out).error_code() == StatusCode::UNAUTHENTICATED);
  CHECK(auth.seen == "Bearer abc.def");
  CHECK(store.writes().empty());
  grpc::ClientContext workers_context;
  nebula::v1::ListWorkersResponse listed;
  CHECK(stub->ListWorkers(&workers_context, nebula::v1::ListWorkersRequest(), &listed).error_code() ==
        StatusCode::UNAUTHENTICATED);
  server->Shutdown();
}

TEST_CASE("access: reads need ro and writes need rw on the app") {
  Fixture f;
  REQUIRE(f.CreateApp("web-1").ok());
  f.auth.Set(User("alice", {{ObjectKind::kApp, {{"web-*", Access::kRead}}}}));
  CHECK(f.GetApp("web-1").ok());
  CHECK(f.GetApp("db").error_code() == StatusCode::PERMISSION_DENIED);
  auto denied = f.RestartApp("web-1");
  CHECK(denied.error_code() == StatusCode::PERMISSION_DENIED);
  CHECK_THAT(denied.error_message(), Catch::Contains("alice") && Catch::Contains("rw"));
  CHECK(f.CreateApp("web-2").error_code() == StatusCode::PERMISSION_DENIED);
  CHECK(f.store.writes().size() == 1);

  f.auth.Set(User("bob", {{ObjectKind::kApp, {{"web-*", Access::kWrite}}}}));
  CHECK(f.RestartApp("web-1").ok());
  REQUIRE(f.store.writes().size() == 2);
  CHECK(f.store.writes()[1].actor == "bob");
  CHECK(f.store.writes()[1].action == "RestartApp");
  nebula::v1::ListAppRevisionsRequest revisions;
  revisions.set_name("web-1");
  nebula::v1::ListAppRevisionsResponse history;
  REQUIRE(f.Call(&nebula::v1::ApiManager::Stub::ListAppRevisions, revisions, &history).ok());
  CHECK(history.revisions(0).actor() == "bob");
  CHECK(history.revisions(1).actor() == "anonymous");
}

TEST_CASE("access: status needs ro on the app and workers any authenticated caller") {
  Fixture f;
  REQUIRE(f.CreateApp("web").ok());
  f.auth.Set(User("carol"));
  nebula::v1::GetAppStatusRequest status_request;
  status_request.set_name("web");
  nebula::v1::AppStatus status;
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::GetAppStatus, status_request, &status).error_code() ==
        StatusCode::PERMISSION_DENIED);
  nebula::v1::ListWorkersResponse workers;
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::ListWorkers, nebula::v1::ListWorkersRequest(), &workers).ok());
  f.auth.Set(User("carol", {{ObjectKind::kApp, {{"web", Access::kRead}}}}));
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::GetAppStatus, status_request, &status).ok());
}

TEST_CASE("access: ListApps shows only readable apps and pages through them without gaps") {
  Fixture f;
  for (const char* name : {"a", "b", "web-1", "c", "web-2", "d", "web-3", "e"}) REQUIRE(f.CreateApp(name).ok());
  f.auth.Set(User("dave", {{ObjectKind::kApp, {{"web-*", Access::kRead}, {"e", Access::kWrite}}}}));
  for (int page_size : {1, 2, 3, 100}) {
    INFO("page_size " << page_size);
    CHECK(f.ListAllApps(page_size) == std::vector<std::string>{"e", "web-1", "web-2", "web-3"});
  }
  f.auth.Set(User("nobody"));
  CHECK(f.ListAllApps(2).empty());
}

TEST_CASE("access: device groups and cron jobs follow their own grants and lists filter them") {
  Fixture f;
  REQUIRE(f.CreateGroup("edge-a").ok());
  REQUIRE(f.CreateGroup("core").ok());
  f.auth.Set(User("erin", {{ObjectKind::kDeviceGroup, {{"edge-*", Access::kWrite}}}}));
  nebula::v1::ListDeviceGroupsResponse groups;
  REQUIRE(f.Call(&nebula::v1::ApiManager::Stub::ListDeviceGroups, nebula::v1::ListDeviceGroupsRequest(), &groups).ok());
  REQUIRE(groups.device_groups_size() == 1);
  CHECK(groups.device_groups(0).name() == "edge-a");
  CHECK(f.CreateGroup("edge-b").ok());
  CHECK(f.CreateGroup("core-2").error_code() == StatusCode::PERMISSION_DENIED);

  nebula::v1::CreateCronJobRequest job;
  job.mutable_cron_job()->set_name("backup");
  job.mutable_cron_job()->set_schedule("@daily");
  job.mutable_cron_job()->mutable_spec()->set_image("busybox:1");
  nebula::v1::CronJob created;
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::CreateCronJob, job, &created).error_code() ==
        StatusCode::PERMISSION_DENIED);
}

TEST_CASE("access: pruning needs pruning_allowed and the group's rw") {
  Fixture f;
  REQUIRE(f.CreateGroup("edge").ok());
  nebula::v1::PruneDeviceGroupRequest prune;
  prune.set_name("edge");
  nebula::v1::DeviceGroup group;
  nebula::v1::GlobalSettings global;

  f.auth.Set(User("frank", {{ObjectKind::kDeviceGroup, {{"edge", Access::kWrite}}}}));
  auto denied = f.Call(&nebula::v1::ApiManager::Stub::PruneDeviceGroup, prune, &group);
  CHECK(denied.error_code() == StatusCode::PERMISSION_DENIED);
  CHECK_THAT(denied.error_message(), Catch::Contains("pruning"));
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::PruneAll, nebula::v1::PruneAllRequest(), &global).error_code() ==
        StatusCode::PERMISSION_DENIED);

  f.auth.Set(User("frank", {{ObjectKind::kDeviceGroup, {{"edge", Access::kRead}}}}, true));
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::PruneDeviceGroup, prune, &group).error_code() ==
        StatusCode::PERMISSION_DENIED);
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::PruneAll, nebula::v1::PruneAllRequest(), &global).ok());
  CHECK(global.prune_generation() == 1);

  f.auth.Set(User("frank", {{ObjectKind::kDeviceGroup, {{"edge", Access::kWrite}}}}, true));
  REQUIRE(f.Call(&nebula::v1::ApiManager::Stub::PruneDeviceGroup, prune, &group).ok());
  CHECK(group.prune_generation() == 1);
  CHECK(group.generation() == 2);
}

TEST_CASE("access: the audit trail is for admins and records the caller") {
  Fixture f;
  REQUIRE(f.CreateGroup("edge").ok());
  nebula::v1::ListAuditEventsResponse events;
  f.auth.Set(User("gina", {{ObjectKind::kDeviceGroup, {{"*", Access::kWrite}}}}, true));
  CHECK(f.Call(&nebula::v1::ApiManager::Stub::ListAuditEvents, nebula::v1::ListAuditEventsRequest(), &events)
            .error_code() == StatusCode::PERMISSION_DENIED);
  nebula::v1::PruneDeviceGroupRequest prune;
  prune.set_name("edge");
  nebula::v1::DeviceGroup group;
  REQUIRE(f.Call(&nebula::v1::ApiManager::Stub::PruneDeviceGroup, prune, &group).ok());
  am::Caller admin = User("root");
  admin.admin = true;
  f.auth.Set(admin);
  REQUIRE(f.Call(&nebula::v1::ApiManager::Stub::ListAuditEvents, nebula::v1::ListAuditEventsRequest(), &events).ok());
  REQUIRE(events.events_size() == 2);
  CHECK(events.events(0).actor() == "gina");
  CHECK(events.events(0).action() == "PruneDeviceGroup");
  CHECK(events.events(0).object_kind() == "device_group");
  CHECK(events.events(1).actor() == "anonymous");
}
