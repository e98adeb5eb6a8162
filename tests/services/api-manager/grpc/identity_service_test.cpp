// IdentityService over a recording store: the service's own permission decisions, independent of
// PostgreSQL, including --auth none (every caller is the admin "anonymous").
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include "api-manager/access/credentials.h"
#include "api-manager/access/open_authenticator.h"
#include "api-manager/access/required_authenticator.h"
#include "api-manager/access/secrets.h"
#include "api-manager/grpc/identity_service.h"

using namespace nebula::api_manager;
namespace v1 = nebula::v1;

namespace {

// Records the writes; reads return what the test put in.
struct RecordingStore : IdentityStore {
  std::vector<std::string> writes;
  std::map<std::string, std::string> passwords;
  std::optional<StoredToken> FindToken(const std::string&) override { return std::nullopt; }
  std::optional<std::string> PasswordHash(const std::string& user) override {
    auto it = passwords.find(user);
    return it == passwords.end() ? std::nullopt : std::optional(it->second);
  }
  std::vector<v1::UserGroup> GroupsOf(const std::string&) override { return {}; }
  void TouchToken(const std::string&) override {}
  v1::User CreateUser(const std::string& name, const std::string&, const std::string& actor) override {
    writes.push_back("create " + name + " by " + actor);
    v1::User user;
    user.set_name(name);
    return user;
  }
  std::optional<v1::User> GetUser(const std::string& name) override {
    v1::User user;
    user.set_name(name);
    return user;
  }
  std::vector<v1::User> ListUsers(const std::string&, int) override { return {}; }
  v1::User SetPassword(const std::string& name, const std::string&, const std::string& actor) override {
    writes.push_back("password " + name + " by " + actor);
    return *GetUser(name);
  }
  void DeleteUser(const std::string& name, const std::string& actor) override {
    writes.push_back("delete " + name + " by " + actor);
  }
  v1::Token CreateToken(const v1::Token& token, const std::string&, const std::string&) override { return token; }
  std::vector<v1::Token> ListTokens(const std::string&, const std::string&, int) override { return {}; }
  void DeleteToken(const std::string&, const std::string&) override {}
  v1::UserGroup CreateGroup(const v1::UserGroup& group, const std::string&) override { return group; }
  std::optional<v1::UserGroup> GetGroup(const std::string&) override { return std::nullopt; }
  std::vector<v1::UserGroup> ListGroups(const std::string&, int) override { return {}; }
  v1::UserGroup UpdateGroup(const v1::UserGroup& group, int64_t, const std::string&) override { return group; }
  void DeleteGroup(const std::string&, const std::string&) override {}
  void EnsureBootstrapAdmin(const BootstrapAdmin&) override {}
};

}  // namespace

TEST_CASE("IdentityService with --auth none: every caller is the admin anonymous") {
  RecordingStore store;
  OpenAuthenticator open;
  IdentityService service(store, open);
  grpc::ServerContext context;
  v1::WhoAmIResponse who;
  REQUIRE(service.WhoAmI(&context, nullptr, &who).ok());
  REQUIRE(who.user() == "anonymous");
  REQUIRE(who.admin());
  v1::CreateUserRequest create;
  create.mutable_user()->set_name("zoe");
  create.mutable_user()->set_password("zoe-password");
  v1::User user;
  REQUIRE(service.CreateUser(&context, &create, &user).ok());
  REQUIRE(store.writes == std::vector<std::string>{"create zoe by anonymous"});
}

TEST_CASE("IdentityService with --auth required: no credential is UNAUTHENTICATED and nothing is written") {
  RecordingStore store;
  auto required = MakeRequiredAuthenticator(store);
  IdentityService service(store, *required);
  grpc::ServerContext context;
  v1::CreateUserRequest create;
  create.mutable_user()->set_name("zoe");
  create.mutable_user()->set_password("zoe-password");
  v1::User user;
  REQUIRE(service.CreateUser(&context, &create, &user).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  v1::WhoAmIResponse who;
  REQUIRE(service.WhoAmI(&context, nullptr, &who).error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE(store.writes.empty());
}

TEST_CASE("IdentityService: a non-admin is denied admin RPCs before the store is touched") {
  RecordingStore store;
  store.passwords["bob"] = HashPassword("bob-password");
  auto required = MakeRequiredAuthenticator(store);
  IdentityService service(store, *required);
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  auto stub = v1::Identity::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  auto as_bob = [] {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Basic " + EncodeBase64("bob:bob-password"));
    return context;
  };
  v1::CreateUserRequest create;
  create.mutable_user()->set_name("zoe");
  create.mutable_user()->set_password("zoe-password");
  v1::User user;
  REQUIRE(stub->CreateUser(as_bob().get(), create, &user).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  v1::DeleteUserRequest del;
  del.set_name("alice");
  v1::DeleteUserResponse deleted;
  REQUIRE(stub->DeleteUser(as_bob().get(), del, &deleted).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  v1::UpdateUserRequest update;
  update.mutable_user()->set_name("alice");
  update.mutable_user()->set_password("new-password");
  REQUIRE(stub->UpdateUser(as_bob().get(), update, &user).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(store.writes.empty());
  update.mutable_user()->set_name("bob");
  REQUIRE(stub->UpdateUser(as_bob().get(), update, &user).ok());
  REQUIRE(store.writes == std::vector<std::string>{"password bob by bob"});
  v1::GetUserRequest get;
  get.set_name("alice");
  REQUIRE(stub->GetUser(as_bob().get(), get, &user).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  get.set_name("bob");
  REQUIRE(stub->GetUser(as_bob().get(), get, &user).ok());
  server->Shutdown();
}
