#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "worker-agent/docker/registry_auth.h"
#include "common/error.h"

using namespace nebula::agent;

TEST_CASE("registry hosts resolve like docker's", "[unit][registry_auth]") {
  CHECK(RegistryHost("busybox") == "docker.io");
  CHECK(RegistryHost("library/busybox:1") == "docker.io");
  CHECK(RegistryHost("127.0.0.1:5000/nebula/hello:1") == "127.0.0.1:5000");
  CHECK(RegistryHost("registry.example.com/team/app@sha256:abc") == "registry.example.com");
  CHECK(RegistryHost("localhost/app") == "localhost");
}

TEST_CASE("docker config auths: auth field, username and password, hub aliases", "[unit][registry_auth]") {
  const std::string config = R"({"auths":{
    "127.0.0.1:5000": {"auth": ")" +
                             Base64Encode("alice:s3cret:with:colons", false) + R"("},
    "https://index.docker.io/v1/": {"username": "bob", "password": "pw"},
    "helper.example.com": {},
    "bad.example.com": {"auth": "!!!"}}, "credsStore": "x"})";
  const auto credentials = ParseDockerConfig(config);
  REQUIRE(credentials.size() == 2);
  CHECK(credentials.at("127.0.0.1:5000").username == "alice");
  CHECK(credentials.at("127.0.0.1:5000").password == "s3cret:with:colons");
  CHECK(credentials.at("docker.io").username == "bob");
  CHECK(ParseDockerConfig("{}").empty());
  try {
    ParseDockerConfig("not json, password=hunter2");
    FAIL("unreadable config accepted");
  } catch (const nebula::Error& e) {
    CHECK_THAT(std::string(e.what()), !Catch::Contains("hunter2"));
  }
}

TEST_CASE("explicit registry auth host=user:password", "[unit][registry_auth]") {
  auto [host, credential] = ParseRegistryAuth("127.0.0.1:5000=alice:pa:ss=word");
  CHECK(host == "127.0.0.1:5000");
  CHECK(credential.username == "alice");
  CHECK(credential.password == "pa:ss=word");
  CHECK(ParseRegistryAuth("https://index.docker.io/v1/=u:p").first == "docker.io");
  for (const char* bad : {"nohost", "=u:p", "host=nopassword", "host=:p"}) {
    INFO(bad);
    CHECK_THROWS_AS(ParseRegistryAuth(bad), nebula::Error);
  }
  try {
    ParseRegistryAuth("host=hunter2");
  } catch (const nebula::Error& e) {
    CHECK_THAT(std::string(e.what()), !Catch::Contains("hunter2"));
  }
}

TEST_CASE("X-Registry-Auth goes only to the image's own registry", "[unit][registry_auth]") {
  RegistryCredentials credentials{{"127.0.0.1:5000", {"alice", "pw"}}};
  CHECK_FALSE(RegistryAuthHeader(credentials, "busybox:1").has_value());
  CHECK_FALSE(RegistryAuthHeader(credentials, "127.0.0.1:5001/app:1").has_value());
  const auto header = RegistryAuthHeader(credentials, "127.0.0.1:5000/app:1");
  REQUIRE(header.has_value());
  CHECK(header->find('+') == std::string::npos);  // base64url
  CHECK(header->find('/') == std::string::npos);
  const auto decoded = Base64Decode(*header);
  REQUIRE(decoded.has_value());
  const auto j = nlohmann::json::parse(*decoded);
  CHECK(j["username"] == "alice");
  CHECK(j["password"] == "pw");
  CHECK(j["serveraddress"] == "127.0.0.1:5000");
}

TEST_CASE("base64 round trips", "[unit][registry_auth]") {
  for (std::string text : {"", "a", "ab", "abc", "abcd", "\xff\xfe\xfd?>"}) {
    CHECK(Base64Decode(Base64Encode(text, false)) == text);
    CHECK(Base64Decode(Base64Encode(text, true)) == text);
  }
  CHECK(Base64Encode("user:pass", false) == "dXNlcjpwYXNz");
}
