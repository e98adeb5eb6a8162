// The agent's --config file and --log-format (service_flags.h): flag > env > file > default, and an
// unknown key is an error that names the key and the file.
#include <catch2/catch.hpp>

#include "scoped_env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "worker-agent/agent/agent_config.h"

using nebula::agent::AgentConfig;
using nebula::agent::ParseAgentConfig;

using nebula::testing::ScopedEnv;
using nebula::testing::TempConfigFile;

namespace {

struct ParseResult {
  int code;
  std::string errors;  // what the parser printed to stderr
};

ParseResult Parse(std::vector<std::string> args, AgentConfig& config) {
  args.insert(args.begin(), "nebula-worker-agent");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::ostringstream captured;
  std::streambuf* saved = std::cerr.rdbuf(captured.rdbuf());
  const int code = ParseAgentConfig(static_cast<int>(argv.size()), argv.data(), config);
  std::cerr.rdbuf(saved);
  return {code, captured.str()};
}

void UnsetAgentEnv() {
  for (const char* name : {"NEBULA_APPS", "APP_NAME", "NEBULA_AGENT_LISTEN", "NEBULA_KAFKA_BROKERS",
                           "NEBULA_RESYNC_SECONDS", "NEBULA_LOG_LEVEL", "NEBULA_LOG_FORMAT", "NEBULA_AGENT_CONFIG",
                           "NEBULA_CONFIG", "NEBULA_KAFKA_SETTINGS", "NEBULA_WORKER_ID"})
    unsetenv(name);
}

}  // namespace

TEST_CASE("agent log format defaults to text and takes json", "[unit][config]") {
  UnsetAgentEnv();
  AgentConfig defaults;
  REQUIRE(Parse({"--apps", "web"}, defaults).code == -1);
  CHECK(defaults.log_format == "text");
  AgentConfig json;
  REQUIRE(Parse({"--apps", "web", "--log-format", "json"}, json).code == -1);
  CHECK(json.log_format == "json");
  ScopedEnv env("NEBULA_LOG_FORMAT", "json");
  AgentConfig from_env;
  REQUIRE(Parse({"--apps", "web"}, from_env).code == -1);
  CHECK(from_env.log_format == "json");
  AgentConfig bad;
  ParseResult result = Parse({"--apps", "web", "--log-format", "xml"}, bad);
  CHECK(result.code > 0);
  CHECK_THAT(result.errors, Catch::Matchers::Contains("--log-format"));
}

TEST_CASE("agent config file sets flags and env and flags beat it", "[unit][config]") {
  UnsetAgentEnv();
  TempConfigFile file(
      "# nebula-worker-agent\n"
      "apps = \"web,db\"\n"
      "listen = \"0.0.0.0:7052\"\n"
      "resync-seconds = 12\n"
      "log-format = \"json\"\n"
      "kafka-setting = [\"security.protocol=ssl\", \"ssl.ca.location=/ca.pem\"]\n");
  AgentConfig from_file;
  REQUIRE(Parse({"--config", file.path}, from_file).code == -1);
  CHECK(from_file.apps == std::vector<std::string>{"web", "db"});
  CHECK(from_file.listen == "0.0.0.0:7052");
  CHECK(from_file.resync_seconds == 12);
  CHECK(from_file.log_format == "json");
  CHECK(from_file.kafka_settings.at("ssl.ca.location") == "/ca.pem");
  CHECK(from_file.kafka_brokers == "127.0.0.1:9092");  // not in the file: the default

  ScopedEnv listen("NEBULA_AGENT_LISTEN", "10.0.0.1:8052");
  AgentConfig env_beats_file;
  REQUIRE(Parse({"--config", file.path}, env_beats_file).code == -1);
  CHECK(env_beats_file.listen == "10.0.0.1:8052");
  CHECK(env_beats_file.resync_seconds == 12);

  AgentConfig flag_beats_both;
  REQUIRE(Parse({"--config", file.path, "--listen", "127.0.0.1:9052", "--apps", "api"}, flag_beats_both).code == -1);
  CHECK(flag_beats_both.listen == "127.0.0.1:9052");
  CHECK(flag_beats_both.apps == std::vector<std::string>{"api"});
}

TEST_CASE("NEBULA_AGENT_CONFIG names the agent config file", "[unit][config]") {
  UnsetAgentEnv();
  TempConfigFile file("apps = \"fromenvfile\"\n");
  ScopedEnv env("NEBULA_AGENT_CONFIG", file.path.c_str());
  AgentConfig config;
  REQUIRE(Parse({}, config).code == -1);
  CHECK(config.apps == std::vector<std::string>{"fromenvfile"});
}

TEST_CASE("an unknown key in the agent config file names the key and the file", "[unit][config]") {
  UnsetAgentEnv();
  TempConfigFile file("apps = \"web\"\nresync-secs = 5\n");
  AgentConfig config;
  ParseResult result = Parse({"--config", file.path}, config);
  CHECK(result.code > 0);
  CHECK_THAT(result.errors, Catch::Matchers::Contains("unknown key \"resync-secs\""));
  CHECK_THAT(result.errors, Catch::Matchers::Contains(file.path));
}

TEST_CASE("an agent flag inside a config file section or a missing file is an error", "[unit][config]") {
  UnsetAgentEnv();
  TempConfigFile file("apps = \"web\"\n[docker]\ndocker-host = \"tcp://x:1\"\n");
  AgentConfig sectioned;
  ParseResult result = Parse({"--config", file.path}, sectioned);
  CHECK(result.code > 0);
  CHECK_THAT(result.errors, Catch::Matchers::Contains("docker.docker-host"));
  AgentConfig missing;
  CHECK(Parse({"--apps", "web", "--config", "/nonexistent/agent.toml"}, missing).code > 0);
}
