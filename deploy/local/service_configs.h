// The configuration files and image recipe the dev stack writes: pure text rendering, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "stack_plan.h"

namespace nebula::devstack {

// Single-node KRaft broker+controller on loopback (static quorum, so `format` needs no --standalone).
std::string KafkaServerProperties(const StackPorts& ports, const std::filesystem::path& data_dir);
// reload4j (Kafka 3.9) logging to stderr, which the supervisor sends to logs/kafka.log.
std::string KafkaLog4jProperties();
// Kafka cluster ids are 16 random bytes in unpadded base64url (22 characters).
std::string KafkaClusterId(std::array<std::uint8_t, 16> random_bytes);
bool IsKafkaClusterId(const std::string& text);

// Debian docker-registry (distribution 2.8) with filesystem storage.
std::string RegistryConfig(const StackPorts& ports, const std::filesystem::path& storage_dir);

// Busybox applets linked into the sample image's /bin.
const std::vector<std::string>& SampleImageApplets();
// `docker import --change` instructions of the sample image: serves "hello from $HOSTNAME $GREETING" on :80.
std::vector<std::string> SampleImageChanges();

}  // namespace nebula::devstack
