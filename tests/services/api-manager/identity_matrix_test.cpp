// The authorization matrix: anonymous, a ro user, a rw user and the admin against every RPC of
// ApiManager and Identity, enumerated from the service descriptors so a new RPC cannot be forgotten.
// Every RPC must reject the anonymous caller with UNAUTHENTICATED; RPCs with a request below also
// get exact expectations for the ro and rw users.
#include <catch2/catch.hpp>
#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>

#include <future>
#include <set>

#include "identity_test_client.h"

using namespace identity_test;
using namespace nebula::v1;
using namespace std::chrono_literals;
using google::protobuf::Message;

namespace {

enum class Expect { kDenied, kAllowed };  // kAllowed: neither UNAUTHENTICATED nor PERMISSION_DENIED

struct Row {
  std::function<std::string()> request;  // serialized request
  Expect ro;
  Expect rw;
};

template <class M>
std::string Bytes(const M& message) {
  std::string out;
  message.SerializeToString(&out);
  return out;
}

template <class M>
std::function<std::string()> Named(const std::string& name) {
  return [name] {
    M m;
    m.set_name(name);
    return Bytes(m);
  };
}

AppSpec Spec() {
  AppSpec spec;
  spec.set_image("nginx:1.25");
  spec.mutable_containers_per()->set_instance(1);
  return spec;
}

// The users: "mx-ro" reads web-* apps, every device group and cron job; "mx-rw" writes them; no
// pruning for either.
void EnsureMatrixUsers() {
  EnsureUser("mx-ro", "mx-ro-password");
  EnsureUser("mx-rw", "mx-rw-password");
  UserGroup ro;
  ro.set_name("mx-readers");
  ro.add_members("mx-ro");
  (*ro.mutable_apps())["web-*"] = ACCESS_RO;
  (*ro.mutable_device_groups())["*"] = ACCESS_RO;
  (*ro.mutable_cron_jobs())["*"] = ACCESS_RO;
  EnsureGroup(ro);
  UserGroup rw;
  rw.set_name("mx-writers");
  rw.add_members("mx-rw");
  (*rw.mutable_apps())["web-*"] = ACCESS_RW;
  (*rw.mutable_device_groups())["*"] = ACCESS_RW;
  (*rw.mutable_cron_jobs())["*"] = ACCESS_RW;
  EnsureGroup(rw);
}

std::map<std::string, Row> Rows() {
  std::map<std::string, Row> rows;
  const auto D = Expect::kDenied;
  const auto A = Expect::kAllowed;
  // Identity: admin-only writes are denied before the request is looked at.
  rows["nebula.v1.Identity.WhoAmI"] = {[] { return Bytes(WhoAmIRequest()); }, A, A};
  rows["nebula.v1.Identity.CreateUser"] = {[] { return Bytes(CreateUserRequest()); }, D, D};
  rows["nebula.v1.Identity.GetUser"] = {Named<GetUserRequest>("mx-ro"), A, D};
  rows["nebula.v1.Identity.ListUsers"] = {[] { return Bytes(ListUsersRequest()); }, A, A};
  rows["nebula.v1.Identity.UpdateUser"] = {[] {
                                             UpdateUserRequest r;
                                             r.mutable_user()->set_name("mx-rw");
                                             r.mutable_user()->set_password("mx-rw-password");
                                             return Bytes(r);
                                           },
                                           D, A};
  rows["nebula.v1.Identity.DeleteUser"] = {Named<DeleteUserRequest>("mx-nobody"), D, D};
  rows["nebula.v1.Identity.CreateToken"] = {[] { return Bytes(CreateTokenRequest()); }, A, A};
  rows["nebula.v1.Identity.ListTokens"] = {[] {
                                             ListTokensRequest r;
                                             r.set_user("admin");
                                             return Bytes(r);
                                           },
                                           D, D};
  rows["nebula.v1.Identity.RevokeToken"] = {[] {
                                              RevokeTokenRequest r;
                                              r.set_id("mxnone");
                                              return Bytes(r);
                                            },
                                            A, A};
  rows["nebula.v1.Identity.CreateUserGroup"] = {[] { return Bytes(CreateUserGroupRequest()); }, D, D};
  rows["nebula.v1.Identity.GetUserGroup"] = {Named<GetUserGroupRequest>("mx-readers"), A, D};
  rows["nebula.v1.Identity.ListUserGroups"] = {[] { return Bytes(ListUserGroupsRequest()); }, A, A};
  rows["nebula.v1.Identity.UpdateUserGroup"] = {[] { return Bytes(UpdateUserGroupRequest()); }, D, D};
  rows["nebula.v1.Identity.DeleteUserGroup"] = {Named<DeleteUserGroupRequest>("mx-none"), D, D};
  // ApiManager, on the app "web-mx" (covered by web-*) and "db-mx" (not covered).
  rows["nebula.v1.ApiManager.CreateApp"] = {[] {
                                              CreateAppRequest r;
                                              r.mutable_app()->set_name("web-mx");
                                              *r.mutable_app()->mutable_spec() = Spec();
                                              return Bytes(r);
                                            },
                                            D, A};
  rows["nebula.v1.ApiManager.GetApp"] = {Named<GetAppRequest>("web-mx"), A, A};
  rows["nebula.v1.ApiManager.ListApps"] = {[] { return Bytes(ListAppsRequest()); }, A, A};
  rows["nebula.v1.ApiManager.GetAppStatus"] = {Named<GetAppStatusRequest>("db-mx"), D, D};
  rows["nebula.v1.ApiManager.PruneAll"] = {[] { return Bytes(PruneAllRequest()); }, D, D};
  rows["nebula.v1.ApiManager.ListAuditEvents"] = {[] { return Bytes(ListAuditEventsRequest()); }, D, D};
  rows["nebula.v1.ApiManager.ListWorkers"] = {[] { return Bytes(ListWorkersRequest()); }, A, A};
  return rows;
}

// Calls a method by its full name with raw request bytes (unary, or the first response of a stream).
grpc::Status CallRaw(const std::string& full_method, const std::string& request, const std::string& authorization) {
  static grpc::GenericStub stub(Channel());
  auto context = Context(authorization, 5s);
  grpc::Slice slice(request);
  grpc::ByteBuffer in(&slice, 1);
  grpc::ByteBuffer out;
  std::promise<grpc::Status> done;
  std::string path = "/" + full_method;
  path[path.rfind('.')] = '/';
  stub.UnaryCall(context.get(), path, grpc::StubOptions(), &in, &out,
                 [&done](grpc::Status status) { done.set_value(std::move(status)); });
  return done.get_future().get();
}

std::vector<const google::protobuf::MethodDescriptor*> Methods() {
  std::vector<const google::protobuf::MethodDescriptor*> out;
  for (const char* name : {"nebula.v1.ApiManager", "nebula.v1.Identity"}) {
    const auto* service = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(name);
    REQUIRE(service != nullptr);
    for (int i = 0; i < service->method_count(); ++i) out.push_back(service->method(i));
  }
  return out;
}

std::string Describe(const grpc::Status& status) {
  return std::to_string(int(status.error_code())) + " " + status.error_message();
}

}  // namespace

TEST_CASE("Authorization matrix: every RPC rejects a caller without a valid credential") {
  const std::string admin_id = Stack().token.substr(0, Stack().token.find('.'));
  for (const auto* method : Methods()) {
    for (const std::string& auth :
         {std::string(), std::string("Bearer ") + admin_id + ".wrong", Basic("admin", "not-the-password")}) {
      INFO(method->full_name() << " with " << (auth.empty() ? "no credential" : auth.substr(0, 6)));
      auto status = CallRaw(method->full_name(), "", auth);
      REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
    }
  }
}

TEST_CASE("Authorization matrix: the admin is never denied") {
  auto rows = Rows();
  for (const auto* method : Methods()) {
    auto row = rows.find(method->full_name());
    const std::string request = row == rows.end() ? std::string() : row->second.request();
    auto status = CallRaw(method->full_name(), request, Admin());
    INFO(method->full_name() << ": " << Describe(status));
    REQUIRE(status.error_code() != grpc::StatusCode::UNAUTHENTICATED);
    REQUIRE(status.error_code() != grpc::StatusCode::PERMISSION_DENIED);
  }
}

TEST_CASE("Authorization matrix: ro and rw users get what their groups grant") {
  EnsureMatrixUsers();
  auto rows = Rows();
  std::set<std::string> known;
  for (const auto* method : Methods()) known.insert(method->full_name());
  for (const auto& [name, row] : rows) {
    INFO(name << " is in the matrix but not in the service descriptors");
    REQUIRE(known.count(name) == 1);
  }
  for (const auto* method : Methods()) {
    const std::string& name = method->full_name();
    auto row = rows.find(name);
    for (const auto& [user, password] : {std::pair<std::string, std::string>{"mx-ro", "mx-ro-password"},
                                         std::pair<std::string, std::string>{"mx-rw", "mx-rw-password"}}) {
      const std::string request = row == rows.end() ? std::string() : row->second.request();
      auto status = CallRaw(name, request, Basic(user, password));
      INFO(name << " as " << user << ": " << Describe(status));
      REQUIRE(status.error_code() != grpc::StatusCode::UNAUTHENTICATED);
      if (row == rows.end()) continue;  // authentication checked; permissions by the service's own tests
      const Expect expect = user == "mx-ro" ? row->second.ro : row->second.rw;
      if (expect == Expect::kDenied) {
        REQUIRE(status.error_code() == grpc::StatusCode::PERMISSION_DENIED);
      } else {
        REQUIRE(status.error_code() != grpc::StatusCode::PERMISSION_DENIED);
      }
    }
  }
}

TEST_CASE("Authorization matrix: a ro user on web-* lists only those apps") {
  EnsureMatrixUsers();
  for (const std::string name : {"web-ls1", "web-ls2", "db-ls1"}) {
    CreateAppRequest create;
    create.mutable_app()->set_name(name);
    *create.mutable_app()->mutable_spec() = Spec();
    App app;
    auto status = CallOn(ApiStub(), &ApiManager::Stub::CreateApp, Admin(), create, &app);
    INFO(name << ": " << status.error_message());
    REQUIRE((status.ok() || status.error_code() == grpc::StatusCode::ALREADY_EXISTS));
  }
  auto names_for = [](const std::string& auth) {
    std::set<std::string> names;
    ListAppsRequest request;
    request.set_page_size(1);
    for (int page = 0; page < 1000; ++page) {
      ListAppsResponse response;
      auto status = CallOn(ApiStub(), &ApiManager::Stub::ListApps, auth, request, &response);
      REQUIRE(status.error_message() == "");
      for (const auto& app : response.apps()) names.insert(app.name());
      if (response.next_page_token().empty()) break;
      request.set_page_token(response.next_page_token());
    }
    return names;
  };
  std::set<std::string> ro = names_for(Basic("mx-ro", "mx-ro-password"));
  REQUIRE(ro.count("web-ls1") == 1);
  REQUIRE(ro.count("web-ls2") == 1);
  for (const auto& name : ro) REQUIRE(name.rfind("web-", 0) == 0);
  std::set<std::string> all = names_for(Admin());
  REQUIRE(all.count("db-ls1") == 1);
}
