#include <catch2/catch.hpp>

#include <cstdlib>

#include "agent/agent_config.h"

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
  for (const char* name : {"DOCKER_HOST", "NEBULA_KAFKA_BROKERS", "NEBULA_AGENT_LISTEN", "NEBULA_DEFAULT_HOST_IP",
                           "NEBULA_RESYNC_SECONDS", "NEBULA_APPS", "NEBULA_WORKER_ID",
                           "NEBULA_REPORT_INTERVAL_SECONDS"})
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
  CHECK(Parse({}, c) > 0);                                     // no apps
  CHECK(Parse({"--apps", "Web_1"}, c) > 0);                    // not a DNS label
  CHECK(Parse({"--apps", "web", "--resync-seconds", "0"}, c) > 0);
  CHECK(Parse({"--apps", "web", "--report-interval-seconds", "0"}, c) > 0);
  CHECK(Parse({"--apps", "web", "--log-level", "loud"}, c) > 0);
  CHECK(Parse({"--apps", "web", "--kafka-setting", "nonsense"}, c) > 0);
}
