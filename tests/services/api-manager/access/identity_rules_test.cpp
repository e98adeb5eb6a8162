#include <catch2/catch.hpp>

#include "api-manager/access/bootstrap_admin.h"
#include "api-manager/access/identity_rules.h"

using namespace nebula::api_manager;
using nebula::FieldViolation;
namespace v1 = nebula::v1;

namespace {

std::vector<std::string> Fields(const std::vector<FieldViolation>& violations) {
  std::vector<std::string> out;
  for (const auto& v : violations) out.push_back(v.field);
  return out;
}

v1::UserGroup Group(std::string name) {
  v1::UserGroup group;
  group.set_name(std::move(name));
  return group;
}

}  // namespace

TEST_CASE("CreateUser needs a DNS-label name and a password of 8 or more characters") {
  v1::CreateUserRequest request;
  REQUIRE(Fields(ValidateCreateUser(request)) == std::vector<std::string>{"user"});
  request.mutable_user()->set_name("alice");
  request.mutable_user()->set_password("12345678");
  REQUIRE(ValidateCreateUser(request).empty());
  request.mutable_user()->set_password("1234567");
  REQUIRE(Fields(ValidateCreateUser(request)) == std::vector<std::string>{"user.password"});
  request.mutable_user()->set_password(std::string(1025, 'x'));
  REQUIRE(Fields(ValidateCreateUser(request)) == std::vector<std::string>{"user.password"});
  request.mutable_user()->set_name("Alice_");
  request.mutable_user()->set_password("");
  REQUIRE(Fields(ValidateCreateUser(request)) == std::vector<std::string>{"user.name", "user.password"});
  request.mutable_user()->set_name("alice");
  request.mutable_user()->set_password("12345678");
  request.mutable_user()->mutable_create_time()->set_seconds(5);
  REQUIRE(Fields(ValidateCreateUser(request)) == std::vector<std::string>{"user"});
}

TEST_CASE("UpdateUser changes only the password") {
  v1::UpdateUserRequest request;
  REQUIRE(Fields(ValidateUpdateUser(request)) == std::vector<std::string>{"user"});
  request.mutable_user()->set_name("alice");
  request.mutable_user()->set_password("new password");
  REQUIRE(ValidateUpdateUser(request).empty());
  request.mutable_update_mask()->add_paths("password");
  REQUIRE(ValidateUpdateUser(request).empty());
  request.mutable_update_mask()->add_paths("name");
  REQUIRE(Fields(ValidateUpdateUser(request)) == std::vector<std::string>{"update_mask.paths[1]"});
}

TEST_CASE("CreateToken checks user - description and ttl") {
  v1::CreateTokenRequest request;
  REQUIRE(ValidateCreateToken(request).empty());
  request.set_user("bob");
  request.set_ttl_seconds(3600);
  request.set_description("ci");
  REQUIRE(ValidateCreateToken(request).empty());
  request.set_user("Bob!");
  request.set_ttl_seconds(-1);
  request.set_description(std::string(257, 'd'));
  REQUIRE(Fields(ValidateCreateToken(request)) == std::vector<std::string>{"user", "description", "ttl_seconds"});
  request.set_user("");
  request.set_description("");
  request.set_ttl_seconds(kMaxTokenTtlSeconds + 1);
  REQUIRE(Fields(ValidateCreateToken(request)) == std::vector<std::string>{"ttl_seconds"});
}

TEST_CASE("Token ids: the public part only") {
  REQUIRE(ValidateTokenId("0123abcd", "id").empty());
  REQUIRE(Fields(ValidateTokenId("", "id")) == std::vector<std::string>{"id"});
  REQUIRE(Fields(ValidateTokenId("a.b", "id")) == std::vector<std::string>{"id"});
  REQUIRE(Fields(ValidateTokenId(std::string(65, 'a'), "id")) == std::vector<std::string>{"id"});
}

TEST_CASE("Grant patterns are names or globs") {
  for (const char* ok : {"*", "web-*", "web-?", "api", "a-b-c"}) REQUIRE_FALSE(GrantPatternProblem(ok));
  for (std::string bad :
       {std::string(), std::string("Web"), std::string("a/b"), std::string("[ab]"), std::string(129, 'a')})
    REQUIRE(GrantPatternProblem(bad));
}

TEST_CASE("User groups: every problem with its field path") {
  v1::UserGroup group = Group("ops");
  group.add_members("alice");
  (*group.mutable_apps())["web-*"] = v1::ACCESS_RO;
  (*group.mutable_device_groups())["*"] = v1::ACCESS_RW;
  REQUIRE(ValidateUserGroup(group, "user_group").empty());

  group.set_name("");
  group.add_members("alice");
  group.add_members("Bad");
  (*group.mutable_apps())["x"] = v1::ACCESS_UNSPECIFIED;
  (*group.mutable_cron_jobs())["A*"] = v1::ACCESS_RO;
  REQUIRE(Fields(ValidateUserGroup(group, "user_group")) ==
          std::vector<std::string>{"user_group.name", "user_group.members[1]", "user_group.members[2]",
                                   "user_group.apps[\"x\"]", "user_group.cron_jobs[\"A*\"]"});
}

TEST_CASE("Page sizes: default - cap and negative") {
  std::vector<FieldViolation> violations;
  REQUIRE(IdentityPageSize(0, violations) == kDefaultIdentityPageSize);
  REQUIRE(IdentityPageSize(5, violations) == 5);
  REQUIRE(IdentityPageSize(1000000, violations) == kMaxIdentityPageSize);
  REQUIRE(violations.empty());
  IdentityPageSize(-1, violations);
  REQUIRE(Fields(violations) == std::vector<std::string>{"page_size"});
}

TEST_CASE("MergeUserGroup applies the mask and names unknown paths") {
  v1::UserGroup current = Group("ops");
  current.add_members("alice");
  current.set_generation(4);
  (*current.mutable_apps())["web-*"] = v1::ACCESS_RO;
  v1::UserGroup update = Group("ops");
  update.add_members("bob");
  update.set_admin(true);

  std::vector<FieldViolation> violations;
  google::protobuf::FieldMask mask;
  mask.add_paths("members");
  v1::UserGroup merged = MergeUserGroup(current, update, mask, violations);
  REQUIRE(violations.empty());
  REQUIRE(merged.members_size() == 1);
  REQUIRE(merged.members(0) == "bob");
  REQUIRE_FALSE(merged.admin());
  REQUIRE(merged.apps().size() == 1);
  REQUIRE(merged.generation() == 4);

  // Empty mask: every settable field, like PUT.
  merged = MergeUserGroup(current, update, {}, violations);
  REQUIRE(merged.admin());
  REQUIRE(merged.apps().empty());
  REQUIRE(violations.empty());

  mask.add_paths("generation");
  mask.add_paths("name");
  MergeUserGroup(current, update, mask, violations);
  REQUIRE(Fields(violations) == std::vector<std::string>{"update_mask.paths[1]", "update_mask.paths[2]"});
}

TEST_CASE("CallerFromGroups: the union - strongest grant per pattern") {
  v1::UserGroup readers = Group("readers");
  (*readers.mutable_apps())["web-*"] = v1::ACCESS_RO;
  (*readers.mutable_apps())["api"] = v1::ACCESS_RW;
  (*readers.mutable_cron_jobs())["nightly"] = v1::ACCESS_RO;
  v1::UserGroup writers = Group("writers");
  (*writers.mutable_apps())["web-*"] = v1::ACCESS_RW;
  (*writers.mutable_apps())["api"] = v1::ACCESS_RO;
  (*writers.mutable_device_groups())["edge"] = v1::ACCESS_UNSPECIFIED;
  writers.set_pruning_allowed(true);

  Caller caller = CallerFromGroups("carol", {writers, readers});
  REQUIRE(caller.user == "carol");
  REQUIRE_FALSE(caller.admin);
  REQUIRE(caller.pruning_allowed);
  REQUIRE(caller.user_groups == std::vector<std::string>{"readers", "writers"});
  REQUIRE(caller.AccessTo(ObjectKind::kApp, "web-1") == Access::kWrite);
  REQUIRE(caller.AccessTo(ObjectKind::kApp, "api") == Access::kWrite);
  REQUIRE(caller.AccessTo(ObjectKind::kApp, "db") == Access::kNone);
  REQUIRE(caller.CanRead(ObjectKind::kCronJob, "nightly"));
  REQUIRE_FALSE(caller.CanWrite(ObjectKind::kCronJob, "nightly"));
  REQUIRE(caller.AccessTo(ObjectKind::kDeviceGroup, "edge") == Access::kNone);

  v1::WhoAmIResponse who = DescribeCaller(caller);
  REQUIRE(who.user() == "carol");
  REQUIRE(who.pruning_allowed());
  REQUIRE_FALSE(who.admin());
  REQUIRE(who.user_groups_size() == 2);
  REQUIRE(who.apps().at("web-*") == v1::ACCESS_RW);
  REQUIRE(who.apps().at("api") == v1::ACCESS_RW);
  REQUIRE(who.cron_jobs().at("nightly") == v1::ACCESS_RO);
  REQUIRE(who.device_groups().empty());

  v1::UserGroup admins = Group("admins");
  admins.set_admin(true);
  Caller admin = CallerFromGroups("root", {admins});
  REQUIRE(admin.admin);
  REQUIRE(admin.CanWrite(ObjectKind::kDeviceGroup, "anything"));
  REQUIRE(DescribeCaller(admin).admin());

  Caller nobody = CallerFromGroups("nobody", {});
  REQUIRE(nobody.user_groups.empty());
  REQUIRE_FALSE(nobody.CanRead(ObjectKind::kApp, "web-1"));
}

TEST_CASE("RequireSelfOrAdmin") {
  Caller alice = CallerFromGroups("alice", {});
  REQUIRE_NOTHROW(RequireSelfOrAdmin(alice, "alice", "GetUser"));
  REQUIRE_THROWS_AS(RequireSelfOrAdmin(alice, "bob", "GetUser"), nebula::Error);
  Caller admin = alice;
  admin.admin = true;
  REQUIRE_NOTHROW(RequireSelfOrAdmin(admin, "bob", "GetUser"));
}

TEST_CASE("Bootstrap flags: shapes checked - values never in the message") {
  REQUIRE_NOTHROW(CheckBootstrapFlags("", ""));
  REQUIRE_NOTHROW(CheckBootstrapFlags("admin." + std::string(32, 'a'), "longenough"));
  try {
    CheckBootstrapFlags("admin.shortsecret", "short");
    FAIL("accepted");
  } catch (const nebula::Error& e) {
    REQUIRE(e.code() == nebula::ErrorCode::kInvalidArgument);
    REQUIRE(Fields(e.violations()) ==
            std::vector<std::string>{"--bootstrap-admin-token", "--bootstrap-admin-password"});
    REQUIRE_THAT(e.what(), !Catch::Contains("shortsecret") && !Catch::Contains("short\""));
  }
  REQUIRE_THROWS(CheckBootstrapFlags("no-dot-" + std::string(40, 'a'), ""));
  REQUIRE_THROWS(CheckBootstrapFlags("Admin." + std::string(40, 'a'), ""));
}
