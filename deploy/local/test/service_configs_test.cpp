#include <catch2/catch.hpp>

#include <algorithm>

#include "service_configs.h"

using namespace nebula::devstack;

TEST_CASE("server.properties: single-node KRaft on loopback ports of the stack") {
  const std::string text = KafkaServerProperties(StackPorts{30000}, "/s/kafka/data");
  for (const char* line : {"process.roles=broker,controller\n", "controller.quorum.voters=1@127.0.0.1:30005\n",
                           "listeners=PLAINTEXT://127.0.0.1:30004,CONTROLLER://127.0.0.1:30005\n",
                           "advertised.listeners=PLAINTEXT://127.0.0.1:30004\n", "log.dirs=/s/kafka/data\n",
                           "auto.create.topics.enable=false\n", "log.cleaner.dedupe.buffer.size=16777216\n",
                           "num.network.threads=2\n", "num.io.threads=2\n"}) {
    CHECK(text.find(line) != std::string::npos);
  }
  // A '#' after a value would become part of the value in a .properties file.
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    if (!line.empty() && line[0] != '#') CHECK(line.find('#') == std::string::npos);
    start = end + 1;
  }
}

TEST_CASE("cluster ids are 22 base64url characters") {
  std::array<std::uint8_t, 16> zeros{};
  CHECK(KafkaClusterId(zeros) == "AAAAAAAAAAAAAAAAAAAAAA");
  std::array<std::uint8_t, 16> ones{};
  ones.fill(0xff);
  CHECK(KafkaClusterId(ones) == "_____________________w");
  CHECK(IsKafkaClusterId(KafkaClusterId(ones)));
  CHECK_FALSE(IsKafkaClusterId("short"));
  CHECK_FALSE(IsKafkaClusterId("AAAAAAAAAAAAAAAAAAAAA="));
}

TEST_CASE("cluster ids never start with '-', which Kafka's argument parser would take for an option") {
  std::array<std::uint8_t, 16> bytes{};
  for (int first = 0; first < 256; ++first) {
    bytes[0] = static_cast<std::uint8_t>(first);
    const std::string id = KafkaClusterId(bytes);
    INFO("first byte " << first << " -> " << id);
    CHECK(id.front() != '-');
    CHECK(IsKafkaClusterId(id));
  }
  CHECK_FALSE(IsKafkaClusterId("-AAAAAAAAAAAAAAAAAAAAA"));
}

TEST_CASE("registry config: filesystem storage, loopback address") {
  const std::string text = RegistryConfig(StackPorts{30000}, "/s/registry/data");
  CHECK(text.find("rootdirectory: /s/registry/data\n") != std::string::npos);
  CHECK(text.find("addr: 127.0.0.1:30006\n") != std::string::npos);
}

TEST_CASE("sample image runs httpd on :80 with the greeting page") {
  const auto& applets = SampleImageApplets();
  for (const char* needed : {"sh", "httpd", "env", "sleep", "cat", "echo"}) {
    CHECK(std::find(applets.begin(), applets.end(), needed) != applets.end());
  }
  const auto changes = SampleImageChanges();
  const auto cmd = std::find_if(changes.begin(), changes.end(), [](const auto& c) { return c.rfind("CMD ", 0) == 0; });
  REQUIRE(cmd != changes.end());
  CHECK(cmd->find(R"(hello from $HOSTNAME $GREETING)") != std::string::npos);
  CHECK(cmd->find("httpd -f -p 80 -h /www") != std::string::npos);
}
