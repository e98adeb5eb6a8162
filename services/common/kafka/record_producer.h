// Producing ordered batches of keyed records with a delivery report for every record (docs/architecture.md "Write
// path"). librdkafka's flush() reports success even when messages timed out, so callers must never infer delivery from
// it; Produce() waits for each report instead.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

namespace nebula::kafka {

struct ProducerRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt = tombstone (null value)
};

struct DeliveryResult {
  bool delivered = false;
  std::string error;  // why not, when !delivered
};

struct BatchDelivery {
  std::vector<DeliveryResult> results;  // one per record, in batch order
  size_t delivered_prefix = 0;          // how many leading records were delivered
};

// The number of leading results that were delivered.
size_t DeliveredPrefix(const std::vector<DeliveryResult>& results);

class RecordProducer {
 public:
  virtual ~RecordProducer() = default;

  // Produces the records in order and waits until every one has a delivery report (or the stop
  // token fires, in which case the records without a report count as not delivered; they may still
  // reach the topic later, which is harmless for readers that keep the newest generation).
  virtual BatchDelivery Produce(std::string_view topic, const std::vector<ProducerRecord>& records,
                                std::stop_token stop) = 0;
};

struct ProducerSettings {
  std::string brokers;
  // A record not delivered within this time is reported as failed (librdkafka message.timeout.ms).
  std::chrono::milliseconds delivery_timeout{15000};
  // Extra librdkafka properties (TLS, SASL, tuning). Those that guarantee ordering and durability
  // (enable.idempotence, acks, partitioner, max.in.flight) cannot be overridden.
  std::map<std::string, std::string> properties;
};

// Idempotent (enable.idempotence=true, acks=all), partitioner=murmur2_random so partitions agree
// with nebula::PartitionForKey. Throws nebula::Error(kInvalidArgument) for bad properties.
// Connection problems never throw: they show up as undelivered records.
std::unique_ptr<RecordProducer> MakeKafkaRecordProducer(const ProducerSettings& settings);

}  // namespace nebula::kafka
