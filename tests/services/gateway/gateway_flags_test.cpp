// nebula-gateway's flags (gateway_flags.h): --config file precedence (flag > env > file > default),
// unknown keys, --log-format.
#include <catch2/catch.hpp>

#include "scoped_env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "gateway/gateway_flags.h"

using nebula::gateway::AddGatewayFlags;
using nebula::gateway::GatewayFlags;

using nebula::testing::ScopedEnv;
using nebula::testing::TempConfigFile;

namespace {

// Parses like main does; returns "" or CLI11's error message.
std::string Parse(std::vector<std::string> args, GatewayFlags& flags) {
  CLI::App app;
  AddGatewayFlags(app, flags);
  args.insert(args.begin(), "nebula-gateway");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(int(argv.size()), argv.data());
    return "";
  } catch (const CLI::ParseError& e) {
    return std::string(e.get_name()) + ": " + e.what();
  }
}

void UnsetGatewayEnv() {
  for (const char* name : {"NEBULA_GATEWAY_LISTEN", "NEBULA_GATEWAY_UPSTREAM", "NEBULA_GATEWAY_THREADS",
                           "NEBULA_GATEWAY_CONFIG", "NEBULA_CONFIG", "NEBULA_LOG_LEVEL", "NEBULA_LOG_FORMAT"})
    unsetenv(name);
}

}  // namespace

TEST_CASE("gateway flags have their documented defaults", "[unit]") {
  UnsetGatewayEnv();
  GatewayFlags flags;
  REQUIRE(Parse({}, flags).empty());
  CHECK(flags.listen == "127.0.0.1:8080");
  CHECK(flags.upstream == "127.0.0.1:50051");
  CHECK(flags.threads == 2);
  CHECK(flags.max_body_bytes == 4u * 1024 * 1024);
  CHECK(flags.log_level == "info");
  CHECK(flags.log_format == "text");
}

TEST_CASE("gateway log format and level are checked", "[unit]") {
  UnsetGatewayEnv();
  GatewayFlags json;
  REQUIRE(Parse({"--log-format", "json", "--log-level", "debug"}, json).empty());
  CHECK(json.log_format == "json");
  CHECK(json.log_level == "debug");
  GatewayFlags bad_format;
  CHECK_THAT(Parse({"--log-format", "yaml"}, bad_format), Catch::Matchers::Contains("--log-format"));
  GatewayFlags bad_level;
  CHECK_THAT(Parse({"--log-level", "loud"}, bad_level), Catch::Matchers::Contains("--log-level"));
}

TEST_CASE("gateway config file sets flags and env and flags beat it", "[unit]") {
  UnsetGatewayEnv();
  TempConfigFile file(
      "# nebula-gateway\n"
      "listen = \"0.0.0.0:8443\"\n"
      "upstream = \"10.1.1.1:50051\"\n"
      "threads = 4\n"
      "log-format = \"json\"\n");
  GatewayFlags from_file;
  REQUIRE(Parse({"--config", file.path}, from_file).empty());
  CHECK(from_file.listen == "0.0.0.0:8443");
  CHECK(from_file.upstream == "10.1.1.1:50051");
  CHECK(from_file.threads == 4);
  CHECK(from_file.log_format == "json");
  CHECK(from_file.idle_timeout_seconds == 60);  // not in the file: the default

  ScopedEnv upstream("NEBULA_GATEWAY_UPSTREAM", "10.2.2.2:50051");
  GatewayFlags env_beats_file;
  REQUIRE(Parse({"--config", file.path}, env_beats_file).empty());
  CHECK(env_beats_file.upstream == "10.2.2.2:50051");
  CHECK(env_beats_file.threads == 4);

  GatewayFlags flag_beats_both;
  REQUIRE(Parse({"--config", file.path, "--upstream", "10.3.3.3:50051", "--threads", "8"}, flag_beats_both).empty());
  CHECK(flag_beats_both.upstream == "10.3.3.3:50051");
  CHECK(flag_beats_both.threads == 8);
}

TEST_CASE("NEBULA_GATEWAY_CONFIG names the gateway config file", "[unit]") {
  UnsetGatewayEnv();
  TempConfigFile file("upstream = \"viaenv:50051\"\n");
  ScopedEnv env("NEBULA_GATEWAY_CONFIG", file.path.c_str());
  GatewayFlags flags;
  REQUIRE(Parse({}, flags).empty());
  CHECK(flags.upstream == "viaenv:50051");
}

TEST_CASE("an unknown key in the gateway config file names the key and the file", "[unit]") {
  UnsetGatewayEnv();
  TempConfigFile file("listen = \"0.0.0.0:1\"\nupstrem = \"x:1\"\n");
  GatewayFlags flags;
  const std::string error = Parse({"--config", file.path}, flags);
  CHECK_THAT(error, Catch::Matchers::Contains("unknown key \"upstrem\""));
  CHECK_THAT(error, Catch::Matchers::Contains(file.path));
  // An api-manager key is not a gateway key either.
  TempConfigFile foreign("database-url = \"host=db\"\n");
  GatewayFlags other;
  CHECK_THAT(Parse({"--config", foreign.path}, other), Catch::Matchers::Contains("unknown key \"database-url\""));
}

TEST_CASE("a missing gateway config file is an error", "[unit]") {
  UnsetGatewayEnv();
  GatewayFlags flags;
  CHECK_FALSE(Parse({"--config", "/nonexistent/gateway.toml"}, flags).empty());
}
