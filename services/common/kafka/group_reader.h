// Reads a whole topic as a member of a consumer group: the members share the partitions and take
// them over from a dead member (Kafka's rebalance, no lock of ours). Offsets are stored only when the
// caller says the records it got were handled (StoreReadOffsets), so delivery is at-least-once: after
// a rebalance or restart the new owner re-reads from the last stored offset. A new group starts at the
// beginning of the topic (on a compacted topic that replays the newest record of every key).
//
// The partition readers of the agents (partition_reader.h) use no group on purpose (docs/architecture.md "Agent"); this
// is for the few replicas of one service that split a topic between them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nebula::kafka {

struct GroupRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt = tombstone (null value)
  int32_t partition = 0;
  int64_t offset = 0;
};

struct GroupReaderOptions {
  std::string brokers;
  std::string topic;
  std::string group;
  std::string client_id = "nebula";
  std::string log_name = "consumer";  // in log lines: "kafka (<log_name>): ..."
  size_t max_batch = 500;             // records per Poll
  // Extra librdkafka properties (TLS, SASL, …), applied last.
  std::map<std::string, std::string> properties;
};

class GroupReader {
 public:
  virtual ~GroupReader() = default;
  // Up to max_batch records, waiting at most `timeout` for the first; what is already fetched is
  // returned without waiting further. Never throws for broker outages (they are logged, throttled).
  virtual std::vector<GroupRecord> Poll(std::chrono::milliseconds timeout) = 0;
  // Everything returned by Poll so far was handled: store the offsets after it (committed in the
  // background). Offsets of partitions revoked meanwhile are refused by Kafka; their new owner reads
  // those records again, so callers must handle records idempotently.
  virtual void StoreReadOffsets() = 0;
};

// Joins the group and subscribes. Throws nebula::Error(kInvalidArgument) for settings librdkafka
// rejects. Leaves the group cleanly when destroyed.
std::unique_ptr<GroupReader> MakeKafkaGroupReader(const GroupReaderOptions& options);

}  // namespace nebula::kafka
