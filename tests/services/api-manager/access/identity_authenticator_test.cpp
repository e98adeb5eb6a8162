#include <catch2/catch.hpp>
#include <google/protobuf/util/time_util.h>

#include <map>

#include "api-manager/access/credentials.h"
#include "api-manager/access/identity_rules.h"
#include "api-manager/access/required_authenticator.h"
#include "api-manager/access/secrets.h"
#include "common/error.h"

using namespace nebula::api_manager;
namespace v1 = nebula::v1;
using Clock = std::chrono::system_clock;

namespace {

// Counts lookups, so the tests can see what the cache saves.
struct FakeCredentialStore : CredentialStore {
  std::map<std::string, StoredToken> tokens;
  std::map<std::string, std::string> passwords;
  std::map<std::string, std::vector<v1::UserGroup>> groups;
  int token_lookups = 0;
  int password_lookups = 0;
  int touches = 0;

  std::optional<StoredToken> FindToken(const std::string& id) override {
    ++token_lookups;
    auto it = tokens.find(id);
    return it == tokens.end() ? std::nullopt : std::optional(it->second);
  }
  std::optional<std::string> PasswordHash(const std::string& user) override {
    ++password_lookups;
    auto it = passwords.find(user);
    return it == passwords.end() ? std::nullopt : std::optional(it->second);
  }
  std::vector<v1::UserGroup> GroupsOf(const std::string& user) override { return groups[user]; }
  void TouchToken(const std::string&) override { ++touches; }
};

struct Fixture {
  FakeCredentialStore store;
  Clock::time_point now = Clock::time_point(std::chrono::seconds(1'800'000'000));
  std::unique_ptr<Authenticator> auth =
      MakeRequiredAuthenticator(store, {.cache_ttl = std::chrono::seconds(5), .now = [this] { return now; }});

  std::string AddToken(const std::string& id, const std::string& secret, const std::string& user,
                       std::optional<Clock::time_point> expires = std::nullopt) {
    StoredToken t;
    t.token.set_id(id);
    t.token.set_user(user);
    if (expires)
      *t.token.mutable_expire_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
          std::chrono::duration_cast<std::chrono::microseconds>(expires->time_since_epoch()).count());
    t.secret_hash = HashTokenSecret(secret);
    store.tokens[id] = t;
    return "Bearer " + id + "." + secret;
  }
};

std::string Rejection(Authenticator& auth, const std::string& header) {
  try {
    auth.Authenticate(header);
  } catch (const nebula::Error& e) {
    REQUIRE(e.code() == nebula::ErrorCode::kUnauthenticated);
    return e.what();
  }
  FAIL("accepted " << header);
  return "";
}

}  // namespace

TEST_CASE("A valid token yields the user's groups as a Caller") {
  Fixture f;
  v1::UserGroup readers;
  readers.set_name("readers");
  (*readers.mutable_apps())["web-*"] = v1::ACCESS_RO;
  f.store.groups["alice"] = {readers};
  std::string header = f.AddToken("t1", "secretsecret", "alice");
  Caller caller = f.auth->Authenticate(header);
  REQUIRE(caller.user == "alice");
  REQUIRE(caller.user_groups == std::vector<std::string>{"readers"});
  REQUIRE(caller.CanRead(ObjectKind::kApp, "web-1"));
  REQUIRE_FALSE(caller.CanWrite(ObjectKind::kApp, "web-1"));
  REQUIRE(f.store.touches == 1);
}

TEST_CASE("Unknown token - wrong secret and revoked token get one message that hides the secret") {
  Fixture f;
  f.AddToken("t1", "secretsecret", "alice");
  REQUIRE_THAT(Rejection(*f.auth, "Bearer t2.secretsecret"), Catch::Contains("unknown or revoked token"));
  std::string wrong = Rejection(*f.auth, "Bearer t1.wrongsecretvalue");
  REQUIRE_THAT(wrong, Catch::Contains("unknown or revoked token") && !Catch::Contains("wrongsecretvalue"));
  REQUIRE_THAT(Rejection(*f.auth, ""), Catch::Contains("no credential"));
}

TEST_CASE("The cache saves lookups for its ttl then revocation shows") {
  Fixture f;
  std::string header = f.AddToken("t1", "secretsecret", "alice");
  f.auth->Authenticate(header);
  f.auth->Authenticate(header);
  REQUIRE(f.store.token_lookups == 1);
  f.store.tokens.erase("t1");  // revoked
  f.now += std::chrono::seconds(4);
  REQUIRE_NOTHROW(f.auth->Authenticate(header));  // within the documented delay
  f.now += std::chrono::seconds(2);
  REQUIRE_THAT(Rejection(*f.auth, header), Catch::Contains("unknown or revoked"));
  REQUIRE(f.store.token_lookups == 2);
}

TEST_CASE("Failures are not cached") {
  Fixture f;
  REQUIRE_THROWS(f.auth->Authenticate("Bearer t1.secretsecret"));
  f.AddToken("t1", "secretsecret", "alice");
  REQUIRE(f.auth->Authenticate("Bearer t1.secretsecret").user == "alice");
}

TEST_CASE("Expired tokens are rejected and a cached token expires exactly") {
  Fixture f;
  std::string old = f.AddToken("old", "secretsecret", "alice", f.now - std::chrono::seconds(1));
  REQUIRE_THAT(Rejection(*f.auth, old), Catch::Contains("expired at"));
  std::string soon = f.AddToken("soon", "secretsecret", "alice", f.now + std::chrono::seconds(2));
  REQUIRE_NOTHROW(f.auth->Authenticate(soon));
  f.now += std::chrono::seconds(3);  // the cache would hold it for 5 s; the token says 2
  REQUIRE_THAT(Rejection(*f.auth, soon), Catch::Contains("expired"));
}

TEST_CASE("Basic auth: argon2 once per cache period - bad user and bad password look the same") {
  Fixture f;
  f.store.passwords["bob"] = HashPassword("bob-password");
  std::string good = "Basic " + EncodeBase64("bob:bob-password");
  REQUIRE(f.auth->Authenticate(good).user == "bob");
  REQUIRE(f.auth->Authenticate(good).user == "bob");
  REQUIRE(f.store.password_lookups == 1);
  std::string bad = Rejection(*f.auth, "Basic " + EncodeBase64("bob:wrong-password"));
  std::string unknown = Rejection(*f.auth, "Basic " + EncodeBase64("eve:bob-password"));
  REQUIRE_THAT(bad, Catch::Contains("bad user or password") && !Catch::Contains("wrong-password"));
  REQUIRE_THAT(unknown, Catch::Contains("bad user or password") && !Catch::Contains("bob-password"));
}

TEST_CASE("The cache is bounded") {
  FakeCredentialStore store;
  auto auth = MakeRequiredAuthenticator(store, {.max_cache_entries = 2});
  for (int i = 0; i < 5; ++i) {
    StoredToken t;
    t.token.set_id("t" + std::to_string(i));
    t.token.set_user("u");
    t.secret_hash = HashTokenSecret("s");
    store.tokens[t.token.id()] = t;
    auth->Authenticate("Bearer t" + std::to_string(i) + ".s");
  }
  int before = store.token_lookups;
  auth->Authenticate("Bearer t0.s");  // evicted when the cache filled up
  REQUIRE(store.token_lookups == before + 1);
}
