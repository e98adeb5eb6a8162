// The identity commands and credentials against a stack with --auth required: whoami, users, user
// groups, tokens (secret shown once), bearer and basic auth, permission denied, login with the
// admin token. -o json output and the resulting state.
#include "cli_test_helpers.h"

using namespace nebula::cli_test;
using nebula::testing::SharedStack;
using nebula::testing::StackAuth;

namespace nebula::cli_test {
const nebula::testing::StackInfo& Stack() { return SharedStack(StackAuth::kRequired); }
}  // namespace nebula::cli_test

namespace {

// As someone else: the stack's admin token removed from the environment.
CommandResult As(std::vector<std::string> args, std::map<std::string, std::string> credentials) {
  credentials.emplace("NEBULA_TOKEN", "");
  return Cli(std::move(args), std::move(credentials));
}

}  // namespace

TEST_CASE("identity: whoami, users, user groups, tokens, and their credentials at work") {
  REQUIRE_FALSE(Stack().token.empty());
  const auto me = Ok(Cli({"whoami", "-o", "json"}));
  CHECK(me["user"] == "admin");
  CHECK(me["admin"] == true);

  Ok(Cli({"users", "create", "cli-alice", "--new-password", "correct-horse-1", "-o", "json"}));
  const auto alice = Ok(Cli({"users", "get", "cli-alice", "-o", "json"}));
  CHECK(alice["name"] == "cli-alice");
  CHECK_FALSE(alice.contains("password"));
  Ok(Cli({"users", "update", "cli-alice", "--new-password", "correct-horse-2", "-o", "json"}));
  bool listed = false;
  const auto users = Ok(Cli({"users", "list", "-o", "json"}));
  for (const auto& u : users["users"]) listed = listed || u["name"] == "cli-alice";
  CHECK(listed);

  const auto group = Ok(Cli({"user-groups", "create", "cli-team", "--member", "cli-alice", "--app", "cli-*=rw", "--app",
                             "*=ro", "-o", "json"}));
  CHECK(group["apps"] == json({{"cli-*", "ACCESS_RW"}, {"*", "ACCESS_RO"}}));
  Fails(Cli({"user-groups", "create", "cli-team2", "--app", "web=admin"}), 1, "usage; see --help");
  Fails(Cli({"user-groups", "get", "cli-team2"}), 2, "NOT_FOUND");
  CHECK(Ok(Cli({"user-groups", "get", "cli-team", "-o", "json"}))["members"] == json({"cli-alice"}));
  const auto groups = Ok(Cli({"user-groups", "list", "-o", "json"}));
  bool group_listed = false;
  for (const auto& g : groups["userGroups"]) group_listed = group_listed || g["name"] == "cli-team";
  CHECK(group_listed);
  const auto group2 = Ok(Cli({"user-groups", "update", "cli-team", "--pruning-allowed", "-o", "json"}));
  CHECK(group2["pruningAllowed"] == true);
  CHECK(group2["members"] == json({"cli-alice"}));
  CHECK(Gen(group2) == Gen(group) + 1);

  // Basic auth and a token of alice's: her grants apply.
  const auto basic =
      As({"whoami", "-o", "json"}, {{"NEBULA_USER", "cli-alice"}, {"NEBULA_PASSWORD", "correct-horse-2"}});
  CHECK(Ok(basic)["user"] == "cli-alice");
  const auto token = Ok(Cli({"tokens", "create", "--for-user", "cli-alice", "--description", "ci", "-o", "json"}));
  const std::string secret = token["secret"];
  CHECK(secret.rfind(token["token"]["id"].get<std::string>() + ".", 0) == 0);
  CHECK(Ok(As({"whoami", "-o", "json"}, {{"NEBULA_TOKEN", secret}}))["user"] == "cli-alice");
  Ok(As({"apps", "create", "cli-mine", "--image", Stack().sample_image, "-o", "json"}, {{"NEBULA_TOKEN", secret}}));
  Fails(As({"apps", "create", "other", "--image", Stack().sample_image}, {{"NEBULA_TOKEN", secret}}), 6,
        "PERMISSION_DENIED");
  Fails(Cli({"apps", "get", "other"}), 2, "NOT_FOUND");
  Fails(As({"apps", "list"}, {{"NEBULA_TOKEN", "nope.nope"}}), 6, "UNAUTHENTICATED");
  Fails(As({"apps", "list"}, {{"NEBULA_USER", "cli-alice"}, {"NEBULA_PASSWORD", "wrong-password"}}), 6,
        "UNAUTHENTICATED");

  const auto tokens = Ok(Cli({"tokens", "list", "--for-user", "cli-alice", "-o", "json"}));
  REQUIRE(tokens["tokens"].size() == 1);
  CHECK_FALSE(tokens["tokens"][0].contains("secret"));
  Ok(Cli({"tokens", "revoke", tokens["tokens"][0]["id"].get<std::string>(), "-o", "json"}));
  CHECK_FALSE(Ok(Cli({"tokens", "list", "--for-user", "cli-alice", "-o", "json"})).contains("tokens"));

  Ok(Cli({"apps", "delete", "cli-mine", "-o", "json"}));
  Ok(Cli({"user-groups", "delete", "cli-team", "-o", "json"}));
  Ok(Cli({"users", "delete", "cli-alice", "-o", "json"}));
  Fails(Cli({"users", "get", "cli-alice"}), 2, "NOT_FOUND");
}

TEST_CASE("login stores the admin token in a context; later calls need no credential flags") {
  ::unlink(ConfigPath().c_str());
  Fails(As({"whoami"}, {}), 6, "UNAUTHENTICATED");
  const auto login = As({"login", "--token", Stack().token, "--save-as", "ci"}, {});
  CHECK_THAT(OkText(login), Catch::Contains("as \"admin\" (context \"ci\")"));
  struct stat st {};
  REQUIRE(::stat(ConfigPath().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK(Ok(As({"whoami", "-o", "json"}, {}))["user"] == "admin");  // from the config file
  const auto contexts = Ok(Cli({"config", "get-contexts", "-o", "json"}));
  CHECK(contexts["contexts"][0]["auth"] == "token");
  CHECK(contexts.dump().find(Stack().token) == std::string::npos);  // never printed
  Fails(As({"login", "--token", "bad.token", "--save-as", "broken"}, {}), 6, "UNAUTHENTICATED");
  CHECK(Ok(Cli({"config", "get-contexts", "-o", "json"}))["contexts"].size() == 1);  // nothing saved
  ::unlink(ConfigPath().c_str());
}
