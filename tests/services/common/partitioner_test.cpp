#include "common/partitioner.h"

#include <catch2/catch.hpp>
#include <librdkafka/rdkafka.h>

#include <string>

// Expected values are those of Kafka's own UtilsTest.testMurmur2 (Java client).
TEST_CASE("Murmur2 matches the Java client", "[partitioner]") {
  CHECK(nebula::Murmur2("21") == -973932308);
  CHECK(nebula::Murmur2("foobar") == -790332482);
  CHECK(nebula::Murmur2("a-little-bit-long-string") == -985981536);
  CHECK(nebula::Murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(nebula::Murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(nebula::Murmur2(std::string("abc")) == 479470107);
}

// librdkafka's murmur2 partitioner is what the api-manager's producer uses; the agent must pick the
// same partition for every key, for every partition count.
TEST_CASE("PartitionForKey agrees with librdkafka's murmur2 partitioner", "[partitioner]") {
  for (int partitions : {1, 2, 3, 7, 16, 64, 100}) {
    for (int i = 0; i < 500; ++i) {
      const std::string key = "app/name-" + std::to_string(i * 7919);
      const int32_t theirs =
          rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), partitions, nullptr, nullptr);
      REQUIRE(nebula::PartitionForKey(key, partitions) == theirs);
    }
  }
  CHECK(nebula::PartitionForKey("", 16) >= 0);
}
