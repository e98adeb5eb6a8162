#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "worker-agent/agent/agent_config.h"

using nebula::agent::AgentConfig;
using nebula::agent::ParseAgentConfig;

namespace {

int Parse(std::vector<std::string> args, AgentConfig& config) {
  args.insert(args.begin(), "nebula-worker-agent");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return ParseAgentConfig(static_cast<int>(argv.size()), argv.data(), config);
}

}  // namespace

TEST_CASE("flags parse with contract defaults", "[unit][config]") {
  // Defaults only show when no env fallback is set (a developer's shell often has DOCKER_HOST).
  for (const char* name :
       {"DOCKER_HOST", "NEBULA_KAFKA_BROKERS", "NEBULA_AGENT_LISTEN", "NEBULA_DEFAULT_HOST_IP", "NEBULA_RESYNC_SECONDS",
        "NEBULA_APPS", "NEBULA_WORKER_ID", "NEBULA_REPORT_INTERVAL_SECONDS"})
    unsetenv(name);
  AgentConfig c;
  REQUIRE(Parse({"--apps", "web,db", "--worker-id", "w1"}, c) == -1);
  CHECK(c.apps == std::vector<std::string>{"web", "db"});
  CHECK(c.worker_id == "w1");
  CHECK(c.kafka_brokers == "127.0.0.1:9092");
  CHECK(c.docker_host == "unix:///var/run/docker.sock");
  CHECK(c.listen == "127.0.0.1:50052");
  CHECK(c.default_host_ip.empty());
  CHECK(c.resync_seconds == 30);
  CHECK(c.report_interval_seconds == 30);
}

TEST_CASE("apps may repeat the flag, repeats are dropped", "[unit][config]") {
  AgentConfig c;
  REQUIRE(Parse({"--apps", "web", "--apps", "db, web", "--kafka-setting", "security.protocol=ssl"}, c) == -1);
  CHECK(c.apps == std::vector<std::string>{"web", "db"});
  CHECK(c.kafka_settings.at("security.protocol") == "ssl");
  CHECK_FALSE(c.worker_id.empty());  // the hostname
}

TEST_CASE("APP_NAME is the original's app list", "[unit][config]") {
  unsetenv("NEBULA_APPS");
  setenv("APP_NAME", "one,two", 1);
  AgentConfig c;
  CHECK(Parse({}, c) == -1);
  CHECK(c.apps == std::vector<std::string>{"one", "two"});
  unsetenv("APP_NAME");
}

TEST_CASE("bad flags are refused with an exit code", "[unit][config]") {
  unsetenv("NEBULA_APPS");
  unsetenv("APP_NAME");
  AgentConfig c;
  CHECK(Parse({}, c) > 0);                   // no apps
  CHECK(Parse({"--apps", "Web_1"}, c) > 0);  // not a DNS label
  CHECK(Parse({"--apps", "web", "--resync-seconds", "0"}, c) > 0);
  CHECK(Parse({"--apps", "web", "--report-interval-seconds", "0"}, c) > 0);
  CHECK(Parse({"--apps", "web", "--log-level", "loud"}, c) > 0);
  CHECK(Parse({"--apps", "web", "--kafka-setting", "nonsense"}, c) > 0);
}

TEST_CASE("device group, runtime and registry flags", "[unit][config]") {
  for (const char* name : {"NEBULA_APPS", "APP_NAME", "NEBULA_DEVICE_GROUP", "NEBULA_RUNTIME", "NEBULA_DOCKER_CONFIG",
                           "NEBULA_REGISTRY_AUTH", "NEBULA_REGISTRY_AUTH_FILE"})
    unsetenv(name);
  AgentConfig c;
  REQUIRE(Parse({"--device-group", "edge", "--runtime", "hollow"}, c) == -1);
  CHECK(c.device_group == "edge");
  CHECK(c.apps.empty());
  CHECK(c.runtime == "hollow");
  CHECK_FALSE(c.docker_config_explicit);
  CHECK_THAT(c.docker_config, Catch::EndsWith("/.docker/config.json"));

  AgentConfig bad;
  CHECK(Parse({"--device-group", "edge", "--apps", "web"}, bad) > 0);  // one or the other
  CHECK(Parse({"--device-group", "Edge_1"}, bad) > 0);
  CHECK(Parse({"--apps", "web", "--runtime", "podman"}, bad) > 0);
  CHECK(Parse({"--apps", "web", "--registry-auth", "host-without-credentials"}, bad) > 0);
}

TEST_CASE("registry credentials: config.json, then files, then flags win", "[unit][config]") {
  const std::string dir = "/tmp/wa-config-test-" + std::to_string(getpid());
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/config.json") << R"({"auths":{"a.example:5000":{"auth":")"
                                      << nebula::agent::Base64Encode("alice:from-config", false)
                                      << R"("},"b.example":{"username":"bob","password":"from-config"}}})";
  std::ofstream(dir + "/auth") << "# comment\n\nb.example=bob:from-file\nc.example=carol:from-file\n";
  AgentConfig c;
  REQUIRE(Parse({"--apps", "web", "--docker-config", dir + "/config.json", "--registry-auth-file", dir + "/auth",
                 "--registry-auth", "c.example=carol:from-flag"},
                c) == -1);
  const auto credentials = nebula::agent::LoadRegistryCredentials(c);
  CHECK(credentials.at("a.example:5000").password == "from-config");
  CHECK(credentials.at("b.example").password == "from-file");
  CHECK(credentials.at("c.example").password == "from-flag");

  // A default config that does not exist is fine; a named one is not.
  AgentConfig missing;
  REQUIRE(Parse({"--apps", "web"}, missing) == -1);
  missing.docker_config = dir + "/nope.json";
  CHECK_NOTHROW(nebula::agent::LoadRegistryCredentials(missing));
  missing.docker_config_explicit = true;
  CHECK_THROWS(nebula::agent::LoadRegistryCredentials(missing));
  std::ofstream(dir + "/broken") << "b.example=no-password-hunter2\n";
  AgentConfig broken;
  REQUIRE(Parse({"--apps", "web", "--registry-auth-file", dir + "/broken"}, broken) == -1);
  try {
    nebula::agent::LoadRegistryCredentials(broken);
    FAIL("a malformed line was accepted");
  } catch (const std::exception& e) {
    CHECK_THAT(std::string(e.what()), Catch::Contains("line 1") && !Catch::Contains("hunter2"));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the start-up log names the config file's origin", "[unit][config]") {
  unsetenv("NEBULA_AGENT_CONFIG");
  AgentConfig none;
  REQUIRE(Parse({"--apps", "web"}, none) == -1);
  CHECK(none.config_file_origin == "no config file (neither --config nor NEBULA_AGENT_CONFIG is set)");

  const std::string path =
      std::filesystem::temp_directory_path() / ("agent-config-" + std::to_string(getpid()) + ".toml");
  std::ofstream(path) << "apps = \"web\"\n";
  setenv("NEBULA_AGENT_CONFIG", path.c_str(), 1);
  AgentConfig from_env;
  REQUIRE(Parse({}, from_env) == -1);
  CHECK(from_env.config_file_origin == "config file " + path + " (from NEBULA_AGENT_CONFIG)");
  unsetenv("NEBULA_AGENT_CONFIG");
  std::filesystem::remove(path);
}
