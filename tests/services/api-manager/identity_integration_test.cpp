// The Identity service on the real stack (PostgreSQL, nebula-api-manager --auth required): every RPC
// with its errors, tokens and passwords end to end, the bootstrap admin across restarts.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>

#include <pqxx/pqxx>
#include <thread>

#include "common/error.h"
#include "common/grpc_status.h"
#include "identity_test_client.h"

using namespace identity_test;
using namespace nebula::v1;
using namespace std::chrono_literals;
using Stub = nebula::v1::Identity::Stub;

namespace {

std::vector<std::string> ViolationFields(const grpc::Status& status) {
  try {
    nebula::ThrowIfError(status);
  } catch (const nebula::Error& e) {
    std::vector<std::string> out;
    for (const auto& v : e.violations()) out.push_back(v.field);
    return out;
  }
  return {};
}

WhoAmIResponse Who(const std::string& auth, grpc::Status* status_out = nullptr) {
  WhoAmIResponse who;
  auto status = Call(&Stub::WhoAmI, auth, WhoAmIRequest(), &who);
  if (status_out) *status_out = status;
  return who;
}

grpc::StatusCode WhoCode(const std::string& auth) {
  grpc::Status status;
  Who(auth, &status);
  return status.error_code();
}

CreateTokenResponse NewToken(const std::string& auth, const std::string& user = "", int64_t ttl = 0) {
  CreateTokenRequest request;
  request.set_user(user);
  request.set_description("test");
  request.set_ttl_seconds(ttl);
  CreateTokenResponse response;
  auto status = Call(&Stub::CreateToken, auth, request, &response);
  REQUIRE(status.error_message() == "");
  return response;
}

int64_t AuditCount(const std::string& where) {
  pqxx::connection conn(Stack().database_url);
  pqxx::nontransaction tx(conn);
  return tx.exec("SELECT count(*) FROM audit_events WHERE " + where)[0][0].as<int64_t>();
}

}  // namespace

TEST_CASE("Identity: the dev stack writes the admin token to stack.env with mode 0600") {
  struct stat st {};
  REQUIRE(::stat((Stack().state_dir + "/stack.env").c_str(), &st) == 0);
  REQUIRE((st.st_mode & 0777) == 0600);
  REQUIRE(Stack().token.rfind("devstack.", 0) == 0);
}

TEST_CASE("Identity: WhoAmI shows the bootstrap admin and the union of a user's groups") {
  WhoAmIResponse admin = Who(Admin());
  REQUIRE(admin.user() == "admin");
  REQUIRE(admin.admin());
  REQUIRE(std::find(admin.user_groups().begin(), admin.user_groups().end(), "admins") != admin.user_groups().end());

  EnsureUser("who-carol", "carol-password");
  UserGroup a;
  a.set_name("who-a");
  a.add_members("who-carol");
  (*a.mutable_apps())["web-*"] = ACCESS_RO;
  (*a.mutable_cron_jobs())["nightly"] = ACCESS_RW;
  UserGroup b;
  b.set_name("who-b");
  b.add_members("who-carol");
  b.set_pruning_allowed(true);
  (*b.mutable_apps())["web-*"] = ACCESS_RW;
  EnsureGroup(a);
  EnsureGroup(b);
  WhoAmIResponse carol = Who(Basic("who-carol", "carol-password"));
  REQUIRE(carol.user() == "who-carol");
  REQUIRE_FALSE(carol.admin());
  REQUIRE(carol.pruning_allowed());
  REQUIRE(std::vector<std::string>(carol.user_groups().begin(), carol.user_groups().end()) ==
          std::vector<std::string>{"who-a", "who-b"});
  REQUIRE(carol.apps().at("web-*") == ACCESS_RW);
  REQUIRE(carol.cron_jobs().at("nightly") == ACCESS_RW);
}

TEST_CASE("Identity: unauthenticated calls say what is wrong and never echo the secret") {
  grpc::Status status;
  Who("", &status);
  REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE_THAT(status.error_message(), Catch::Contains("no credential"));
  Who("Bearer nodot-secretvalue", &status);
  REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE_THAT(status.error_message(), Catch::Contains("malformed") && !Catch::Contains("secretvalue"));
  Who("Bearer unknownid.secretvalue", &status);
  REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE_THAT(status.error_message(), Catch::Contains("unknown or revoked") && !Catch::Contains("secretvalue"));
  const std::string admin_id = Stack().token.substr(0, Stack().token.find('.'));
  Who("Bearer " + admin_id + ".wrongsecretvalue", &status);
  REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE_THAT(status.error_message(), !Catch::Contains("wrongsecretvalue"));
  Who(Basic("nobody", "secretvalue"), &status);
  REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE_THAT(status.error_message(), Catch::Contains("bad user or password") && !Catch::Contains("secretvalue"));
}

TEST_CASE("Identity: users are created read listed updated and deleted with clear errors") {
  CreateUserRequest create;
  create.mutable_user()->set_name("usr-dave");
  create.mutable_user()->set_password("dave-password");
  User user;
  REQUIRE(Call(&Stub::CreateUser, Admin(), create, &user).ok());
  REQUIRE(user.name() == "usr-dave");
  REQUIRE(user.password().empty());
  REQUIRE(user.has_create_time());
  REQUIRE(Call(&Stub::CreateUser, Admin(), create, &user).error_code() == grpc::StatusCode::ALREADY_EXISTS);

  CreateUserRequest bad;
  bad.mutable_user()->set_name("Bad_Name");
  bad.mutable_user()->set_password("short");
  auto status = Call(&Stub::CreateUser, Admin(), bad, &user);
  REQUIRE(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  REQUIRE(ViolationFields(status) == std::vector<std::string>{"user.name", "user.password"});
  GetUserRequest get;
  get.set_name("bad-name");
  REQUIRE(Call(&Stub::GetUser, Admin(), get, &user).error_code() == grpc::StatusCode::NOT_FOUND);

  get.set_name("usr-dave");
  REQUIRE(Call(&Stub::GetUser, Admin(), get, &user).ok());
  REQUIRE(user.name() == "usr-dave");
  REQUIRE(Call(&Stub::GetUser, Basic("usr-dave", "dave-password"), get, &user).ok());

  EnsureUser("usr-erin", "erin-password");
  ListUsersRequest list;
  list.set_page_size(1);
  std::vector<std::string> names;
  for (int page = 0; page < 1000; ++page) {
    ListUsersResponse response;
    REQUIRE(Call(&Stub::ListUsers, Admin(), list, &response).error_message() == "");
    REQUIRE(response.users_size() <= 1);
    for (const auto& u : response.users()) names.push_back(u.name());
    if (response.next_page_token().empty()) break;
    list.set_page_token(response.next_page_token());
  }
  REQUIRE(std::is_sorted(names.begin(), names.end()));
  REQUIRE(std::count(names.begin(), names.end(), "usr-dave") == 1);
  REQUIRE(std::count(names.begin(), names.end(), "usr-erin") == 1);
  REQUIRE(std::count(names.begin(), names.end(), "admin") == 1);
  ListUsersResponse own;
  REQUIRE(Call(&Stub::ListUsers, Basic("usr-dave", "dave-password"), ListUsersRequest(), &own).ok());
  REQUIRE(own.users_size() == 1);
  REQUIRE(own.users(0).name() == "usr-dave");
  list.set_page_token("garbage!");
  REQUIRE(Call(&Stub::ListUsers, Admin(), list, &own).error_code() == grpc::StatusCode::INVALID_ARGUMENT);

  UpdateUserRequest update;
  update.mutable_user()->set_name("usr-dave");
  update.mutable_user()->set_password("dave-new-password");
  REQUIRE(Call(&Stub::UpdateUser, Basic("usr-dave", "dave-password"), update, &user).ok());
  REQUIRE(WhoCode(Basic("usr-dave", "dave-new-password")) == grpc::StatusCode::OK);
  REQUIRE(WhoCode(Basic("usr-erin", "erin-password")) == grpc::StatusCode::OK);
  update.mutable_user()->set_name("usr-erin");
  REQUIRE(Call(&Stub::UpdateUser, Basic("usr-dave", "dave-new-password"), update, &user).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  update.mutable_user()->set_password("short");
  update.mutable_update_mask()->add_paths("name");
  status = Call(&Stub::UpdateUser, Admin(), update, &user);
  REQUIRE(ViolationFields(status) == std::vector<std::string>{"update_mask.paths[0]", "user.password"});
  update.mutable_user()->set_name("usr-nobody");
  update.mutable_user()->set_password("long-enough");
  update.clear_update_mask();
  REQUIRE(Call(&Stub::UpdateUser, Admin(), update, &user).error_code() == grpc::StatusCode::NOT_FOUND);

  DeleteUserRequest del;
  del.set_name("usr-erin");
  DeleteUserResponse deleted;
  REQUIRE(Call(&Stub::DeleteUser, Basic("usr-dave", "dave-new-password"), del, &deleted).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(Call(&Stub::DeleteUser, Admin(), del, &deleted).ok());
  REQUIRE(Call(&Stub::DeleteUser, Admin(), del, &deleted).error_code() == grpc::StatusCode::NOT_FOUND);
  get.set_name("usr-erin");
  REQUIRE(Call(&Stub::GetUser, Admin(), get, &user).error_code() == grpc::StatusCode::NOT_FOUND);
  REQUIRE(AuditCount(
              "object_kind = 'user' AND object_name = 'usr-erin' AND action = 'DeleteUser' AND actor = 'admin'") == 1);
  // The audit trail the admin reads through ListAuditEvents.
  ListAuditEventsRequest audit;
  audit.set_object_kind("user");
  audit.set_object_name("usr-dave");
  ListAuditEventsResponse events;
  REQUIRE(CallOn(ApiStub(), &ApiManager::Stub::ListAuditEvents, Admin(), audit, &events).error_message() == "");
  std::vector<std::string> actions;
  for (const auto& e : events.events()) actions.push_back(e.action() + " by " + e.actor());
  REQUIRE(actions == std::vector<std::string>{"UpdateUser by usr-dave", "CreateUser by admin"});  // newest first
}

TEST_CASE("Identity: a token is shown once then usable and listed without its secret") {
  EnsureUser("tok-fay", "fay-password");
  const std::string fay = Basic("tok-fay", "fay-password");
  CreateTokenResponse created = NewToken(fay);
  REQUIRE(created.token().user() == "tok-fay");
  REQUIRE(created.secret().rfind(created.token().id() + ".", 0) == 0);
  REQUIRE_FALSE(created.token().has_expire_time());
  REQUIRE(Who(Bearer(created.secret())).user() == "tok-fay");

  ListTokensResponse listed;
  REQUIRE(Call(&Stub::ListTokens, fay, ListTokensRequest(), &listed).ok());
  REQUIRE(listed.tokens_size() == 1);
  REQUIRE(listed.tokens(0).id() == created.token().id());
  REQUIRE(listed.tokens(0).has_last_used_time());
  std::string serialized;
  listed.SerializeToString(&serialized);
  REQUIRE(serialized.find(created.secret().substr(created.secret().find('.') + 1)) == std::string::npos);

  // The admin sees everyone's tokens and may list one user's; fay may not list the admin's.
  ListTokensRequest of_fay;
  of_fay.set_user("tok-fay");
  REQUIRE(Call(&Stub::ListTokens, Admin(), of_fay, &listed).ok());
  REQUIRE(listed.tokens_size() == 1);
  ListTokensRequest of_admin;
  of_admin.set_user("admin");
  REQUIRE(Call(&Stub::ListTokens, fay, of_admin, &listed).error_code() == grpc::StatusCode::PERMISSION_DENIED);

  // Only an admin names another user; CreateToken for a missing user is NOT_FOUND.
  CreateTokenRequest for_admin;
  for_admin.set_user("admin");
  CreateTokenResponse ignored;
  REQUIRE(Call(&Stub::CreateToken, fay, for_admin, &ignored).error_code() == grpc::StatusCode::PERMISSION_DENIED);
  for_admin.set_user("tok-nobody");
  REQUIRE(Call(&Stub::CreateToken, Admin(), for_admin, &ignored).error_code() == grpc::StatusCode::NOT_FOUND);
  CreateTokenRequest bad;
  bad.set_ttl_seconds(-5);
  auto status = Call(&Stub::CreateToken, fay, bad, &ignored);
  REQUIRE(ViolationFields(status) == std::vector<std::string>{"ttl_seconds"});
}

TEST_CASE("Identity: a revoked token is rejected within the 5 s cache delay") {
  EnsureUser("tok-gus", "gus-password");
  CreateTokenResponse created = NewToken(Admin(), "tok-gus");
  REQUIRE(WhoCode(Bearer(created.secret())) == grpc::StatusCode::OK);
  RevokeTokenRequest revoke;
  revoke.set_id(created.token().id());
  RevokeTokenResponse revoked;
  // Another user cannot even see it.
  EnsureUser("tok-hal", "hal-password");
  REQUIRE(Call(&Stub::RevokeToken, Basic("tok-hal", "hal-password"), revoke, &revoked).error_code() ==
          grpc::StatusCode::NOT_FOUND);
  REQUIRE(Call(&Stub::RevokeToken, Bearer(created.secret()), revoke, &revoked).ok());  // its own user
  REQUIRE(Call(&Stub::RevokeToken, Admin(), revoke, &revoked).error_code() == grpc::StatusCode::NOT_FOUND);
  const auto revoked_at = std::chrono::steady_clock::now();
  bool rejected = nebula::testing::Eventually(
      [&] { return WhoCode(Bearer(created.secret())) == grpc::StatusCode::UNAUTHENTICATED; }, 8s, 100ms);
  REQUIRE(rejected);
  REQUIRE(std::chrono::steady_clock::now() - revoked_at <= 6s);
  revoke.set_id("bad.id");
  REQUIRE(ViolationFields(Call(&Stub::RevokeToken, Admin(), revoke, &revoked)) == std::vector<std::string>{"id"});
}

TEST_CASE("Identity: an expired token is rejected") {
  EnsureUser("tok-ida", "ida-password");
  CreateTokenResponse created = NewToken(Admin(), "tok-ida", 1);
  REQUIRE(created.token().has_expire_time());
  std::this_thread::sleep_for(1500ms);
  grpc::Status status;
  Who(Bearer(created.secret()), &status);
  REQUIRE(status.error_code() == grpc::StatusCode::UNAUTHENTICATED);
  REQUIRE_THAT(status.error_message(), Catch::Contains("expired"));
}

TEST_CASE("Identity: deleting a user revokes their tokens and group memberships") {
  EnsureUser("del-jo", "jo-password");
  CreateTokenResponse created = NewToken(Admin(), "del-jo");
  UserGroup group;
  group.set_name("del-group");
  group.add_members("del-jo");
  EnsureGroup(group);
  DeleteUserRequest del;
  del.set_name("del-jo");
  DeleteUserResponse deleted;
  REQUIRE(Call(&Stub::DeleteUser, Admin(), del, &deleted).ok());
  GetUserGroupRequest get;
  get.set_name("del-group");
  UserGroup after;
  REQUIRE(Call(&Stub::GetUserGroup, Admin(), get, &after).ok());
  REQUIRE(after.members_size() == 0);
  REQUIRE(after.generation() == 2);
  REQUIRE(nebula::testing::Eventually(
      [&] { return WhoCode(Bearer(created.secret())) == grpc::StatusCode::UNAUTHENTICATED; }, 8s, 200ms));
}

TEST_CASE("Identity: user groups are created read listed updated and deleted with clear errors") {
  EnsureUser("grp-kim", "kim-password");
  EnsureUser("grp-lee", "lee-password");
  CreateUserGroupRequest create;
  UserGroup* g = create.mutable_user_group();
  g->set_name("grp-ops");
  g->add_members("grp-kim");
  (*g->mutable_apps())["web-*"] = ACCESS_RO;
  UserGroup created;
  REQUIRE(Call(&Stub::CreateUserGroup, Admin(), create, &created).ok());
  REQUIRE(created.generation() == 1);
  REQUIRE(created.members_size() == 1);
  REQUIRE(created.apps().at("web-*") == ACCESS_RO);
  REQUIRE(Call(&Stub::CreateUserGroup, Admin(), create, &created).error_code() == grpc::StatusCode::ALREADY_EXISTS);
  REQUIRE(Call(&Stub::CreateUserGroup, Basic("grp-kim", "kim-password"), create, &created).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);

  CreateUserGroupRequest bad;
  bad.mutable_user_group()->set_name("grp-bad");
  bad.mutable_user_group()->add_members("grp-kim");
  bad.mutable_user_group()->add_members("grp-ghost");
  (*bad.mutable_user_group()->mutable_apps())["Web"] = ACCESS_RW;
  auto status = Call(&Stub::CreateUserGroup, Admin(), bad, &created);
  REQUIRE(ViolationFields(status) == std::vector<std::string>{"user_group.apps[\"Web\"]"});
  bad.mutable_user_group()->mutable_apps()->clear();
  status = Call(&Stub::CreateUserGroup, Admin(), bad, &created);
  REQUIRE(ViolationFields(status) == std::vector<std::string>{"user_group.members[1]"});
  GetUserGroupRequest get;
  get.set_name("grp-bad");
  UserGroup read;
  REQUIRE(Call(&Stub::GetUserGroup, Admin(), get, &read).error_code() ==
          grpc::StatusCode::NOT_FOUND);  // nothing written

  get.set_name("grp-ops");
  REQUIRE(Call(&Stub::GetUserGroup, Basic("grp-kim", "kim-password"), get, &read).ok());  // a member
  REQUIRE(Call(&Stub::GetUserGroup, Basic("grp-lee", "lee-password"), get, &read).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  ListUserGroupsResponse groups;
  REQUIRE(Call(&Stub::ListUserGroups, Basic("grp-kim", "kim-password"), ListUserGroupsRequest(), &groups).ok());
  REQUIRE(groups.user_groups_size() == 1);
  REQUIRE(groups.user_groups(0).name() == "grp-ops");
  REQUIRE(Call(&Stub::ListUserGroups, Admin(), ListUserGroupsRequest(), &groups).ok());
  REQUIRE(groups.user_groups_size() >= 2);

  UpdateUserGroupRequest update;
  update.mutable_user_group()->set_name("grp-ops");
  update.mutable_user_group()->add_members("grp-lee");
  update.mutable_update_mask()->add_paths("members");
  update.set_expected_generation(1);
  UserGroup updated;
  REQUIRE(Call(&Stub::UpdateUserGroup, Admin(), update, &updated).ok());
  REQUIRE(updated.generation() == 2);
  REQUIRE(updated.members_size() == 1);
  REQUIRE(updated.members(0) == "grp-lee");
  REQUIRE(updated.apps().at("web-*") == ACCESS_RO);  // not in the mask: kept
  REQUIRE(Call(&Stub::UpdateUserGroup, Admin(), update, &updated).error_code() == grpc::StatusCode::ABORTED);
  update.set_expected_generation(0);
  update.mutable_update_mask()->add_paths("generation");
  REQUIRE(ViolationFields(Call(&Stub::UpdateUserGroup, Admin(), update, &updated)) ==
          std::vector<std::string>{"update_mask.paths[1]"});
  update.mutable_user_group()->set_name("grp-none");
  REQUIRE(Call(&Stub::UpdateUserGroup, Admin(), update, &updated).error_code() == grpc::StatusCode::NOT_FOUND);

  DeleteUserGroupRequest del;
  del.set_name("grp-ops");
  DeleteUserGroupResponse deleted;
  REQUIRE(Call(&Stub::DeleteUserGroup, Basic("grp-lee", "lee-password"), del, &deleted).error_code() ==
          grpc::StatusCode::PERMISSION_DENIED);
  REQUIRE(Call(&Stub::DeleteUserGroup, Admin(), del, &deleted).ok());
  REQUIRE(Call(&Stub::DeleteUserGroup, Admin(), del, &deleted).error_code() == grpc::StatusCode::NOT_FOUND);
  REQUIRE(AuditCount("object_kind = 'user_group' AND object_name = 'grp-ops'") == 3);
}

TEST_CASE("Identity: the bootstrap admin is idempotent across restarts") {
  const int port = Stack().port_base + 20;
  const std::string endpoint = "127.0.0.1:" + std::to_string(port);
  const std::map<std::string, std::string> env{{"NEBULA_BOOTSTRAP_ADMIN_TOKEN", Stack().token},
                                               {"NEBULA_BOOTSTRAP_ADMIN_PASSWORD", "boot-password-1"}};
  const std::vector<std::string> argv{Stack().bin_dir + "/nebula-api-manager",
                                      "--listen",
                                      endpoint,
                                      "--database-url",
                                      Stack().database_url,
                                      "--kafka-brokers",
                                      Stack().kafka_brokers,
                                      "--auth",
                                      "required"};
  auto own = nebula::v1::Identity::NewStub(Channel(endpoint));
  auto who = [&](const std::string& auth) {
    WhoAmIResponse response;
    return CallOn(*own, &Stub::WhoAmI, auth, WhoAmIRequest(), &response).error_code();
  };
  int64_t before = AuditCount("actor = 'bootstrap'");
  for (int run = 0; run < 2; ++run) {
    nebula::testing::BackgroundProcess api(argv, env,
                                           Stack().state_dir + "/h2-bootstrap-" + std::to_string(run) + ".log");
    REQUIRE(nebula::testing::Eventually([&] { return who(Admin()) == grpc::StatusCode::OK; }, 60s));
    REQUIRE(who(Basic("admin", "boot-password-1")) == grpc::StatusCode::OK);
    // The first start set the password (one audit row); the second changed nothing.
    REQUIRE(AuditCount("actor = 'bootstrap'") == before + 1);
    const std::string log = nebula::testing::ReadFile(api.log_path());
    REQUIRE(log.find("boot-password-1") == std::string::npos);
    REQUIRE(log.find(Stack().token.substr(Stack().token.find('.') + 1)) == std::string::npos);
    REQUIRE(api.Stop() == 0);
  }
}
