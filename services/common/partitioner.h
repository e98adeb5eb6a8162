// The Java client's default partitioner for keyed records (murmur2), which librdkafka implements as
// "murmur2_random". Agents use it to find the partitions that hold their keys, so it must agree
// bit for bit with every producer.
#pragma once

#include <cstdint>
#include <string_view>

namespace nebula {

// Kafka's Utils.murmur2 (seed 0x9747b28c), returned as the Java int it computes.
int32_t Murmur2(std::string_view data);

// toPositive(murmur2(key)) % partitions. partitions must be > 0.
int32_t PartitionForKey(std::string_view key, int32_t partitions);

}  // namespace nebula
