// The config file model: parse/serialize round trip, contexts, and how flags, env vars and the
// current context combine.
#include <catch2/catch.hpp>

#include "config.h"
#include "common/error.h"

using namespace nebula::cli;

namespace {

Config Sample() {
  Config c;
  c.current_context = "prod";
  c.contexts.push_back({"dev", "127.0.0.1:46001", "", "", "", false, "", "", ""});
  c.contexts.push_back({"prod", "api.example:443", "tok.secret", "", "", true, "/etc/ca.pem", "", ""});
  c.contexts.push_back({"basic", "10.0.0.5:50051", "", "alice", "pa: ss#1", false, "", "", ""});
  return c;
}

}  // namespace

TEST_CASE("Config round-trips through YAML, odd passwords included") {
  const Config c = Sample();
  const std::string text = SerializeConfig(c);
  CHECK(ParseConfig(text) == c);
  CHECK_THAT(text, Catch::Contains("current-context: prod"));
}

TEST_CASE("An empty or missing config is empty") {
  CHECK(ParseConfig("") == Config{});
  CHECK(ParseConfig("# nothing\n") == Config{});
}

TEST_CASE("Bad config files say what is wrong") {
  CHECK_THROWS_WITH(ParseConfig("contexts: {a: 1}\n"), Catch::Contains("contexts: expected a list"));
  CHECK_THROWS_WITH(ParseConfig("contexts:\n  - endpoint: x\n"), Catch::Contains("contexts[0].name: required"));
  CHECK_THROWS_WITH(ParseConfig("contexts:\n  - {name: a}\n  - {name: a}\n"), Catch::Contains("appears twice"));
  CHECK_THROWS_WITH(ParseConfig("contexts:\n  - {name: a, tls: maybe}\n"),
                    Catch::Contains("tls: expected true or false"));
}

TEST_CASE("The current context supplies endpoint and credentials") {
  const Connection c = Resolve(Sample(), {});
  CHECK(c.context == "prod");
  CHECK(c.endpoint == "api.example:443");
  CHECK(c.token == "tok.secret");
  CHECK(c.tls);
  CHECK(c.ca_cert == "/etc/ca.pem");
}

TEST_CASE("A named context is used and an unknown one is an error") {
  ConnectionOverrides o;
  o.context = "basic";
  const Connection c = Resolve(Sample(), o);
  CHECK(c.user == "alice");
  CHECK(c.password == "pa: ss#1");
  CHECK(c.token.empty());
  o.context = "nope";
  try {
    Resolve(Sample(), o);
    FAIL("no error");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == nebula::ErrorCode::kNotFound);
  }
}

TEST_CASE("Flags and env vars win over the context, one credential at a time") {
  ConnectionOverrides o;
  o.endpoint = "127.0.0.1:1";
  o.user = "bob";
  o.password = "secret12";
  const Connection c = Resolve(Sample(), o);  // current context prod has a token
  CHECK(c.endpoint == "127.0.0.1:1");
  CHECK(c.user == "bob");
  CHECK(c.token.empty());
  ConnectionOverrides t;
  t.context = "basic";
  t.token = "id.s";
  const Connection d = Resolve(Sample(), t);
  CHECK(d.token == "id.s");
  CHECK(d.user.empty());
  CHECK(d.password.empty());
}

TEST_CASE("No config: the default endpoint (the dev stack's api-manager) and no credential") {
  const Connection c = Resolve({}, {});
  CHECK(c.endpoint == "127.0.0.1:20051");
  CHECK(c.token.empty());
  CHECK_FALSE(c.tls);
}

TEST_CASE("UpsertContext replaces by name") {
  Config c = Sample();
  UpsertContext(c, {"dev", "other:1", "", "", "", false, "", "", ""});
  CHECK(c.contexts.size() == 3);
  CHECK(FindContext(c, "dev")->endpoint == "other:1");
  UpsertContext(c, {"new", "n:1", "", "", "", false, "", "", ""});
  CHECK(c.contexts.size() == 4);
}

TEST_CASE("Default config path: NEBULA_CONFIG, XDG_CONFIG_HOME, HOME") {
  CHECK(DefaultConfigPath("/x/c.yaml", "/xdg", "/home/u") == "/x/c.yaml");
  CHECK(DefaultConfigPath(nullptr, "/xdg", "/home/u") == "/xdg/nebula/config.yaml");
  CHECK(DefaultConfigPath(nullptr, "", "/home/u") == "/home/u/.config/nebula/config.yaml");
}
