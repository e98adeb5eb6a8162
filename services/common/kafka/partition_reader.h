// Reads chosen keys of one topic without a consumer group (docs/architecture.md "Agent"): finds the partition count,
// computes the partitions that hold the keys with the Java-compatible partitioner, assigns them by
// hand from the beginning and tails them. A group per reader does not scale to 10⁴+ agents and a
// shared group would split the records, so nothing is ever subscribed or committed.
//
// The high watermark of every partition is noted when it is assigned; caught_up() turns true once
// each partition was read up to that point, i.e. the reader has seen every record that existed at
// start (the caller's "initial read").
//
// Broker outages are survived: Poll() keeps retrying (topic lookup, watermarks, fetches) and
// never throws for them. Not thread-safe: one thread polls; only Wake() may come from another.
//
// Idle costs little: Poll() blocks until a record arrives, its timeout or the next partition-count
// check, with no wake-up in between, and each fetch waits at the broker up to `fetch_wait` for new
// data (the broker answers as soon as a record arrives, so a long wait costs no latency, and a
// thousand idle readers do not send the broker thousands of empty fetches a second).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nebula {

struct PartitionRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt for a tombstone
  int32_t partition = 0;
  int64_t offset = 0;
};

struct PartitionReaderOptions {
  std::string brokers;
  std::string topic;
  std::vector<std::string> keys;  // only records with these keys are returned
  // Every partition and every key instead (`keys` is ignored): the api-manager's read of what the whole
  // topic holds (api-manager/relay/generation_fence.h).
  bool every_key = false;
  std::string client_id = "nebula";
  // Extra librdkafka properties (TLS, SASL, …), applied last.
  std::map<std::string, std::string> settings;
  // How often to check whether the topic's partition count changed (which moves keys).
  std::chrono::milliseconds metadata_refresh{std::chrono::seconds(30)};
  // librdkafka fetch.wait.max.ms (unless `settings` sets it). Kept 1 s below socket.timeout.ms when
  // `settings` lowers that, as librdkafka requires.
  std::chrono::milliseconds fetch_wait{std::chrono::seconds(5)};
};

class PartitionReader {
 public:
  // Throws nebula::Error(kInvalidArgument) for settings librdkafka rejects. Does no network I/O.
  explicit PartitionReader(PartitionReaderOptions options);
  ~PartitionReader();
  PartitionReader(const PartitionReader&) = delete;
  PartitionReader& operator=(const PartitionReader&) = delete;

  // Waits up to `timeout` for records of the keys, in partition order.
  std::vector<PartitionRecord> Poll(std::chrono::milliseconds timeout);
  // Makes the Poll() in progress (or else the next one) return at once. Thread-safe.
  void Wake();

  bool caught_up() const;
  // Partitions being read (empty until the topic was found) and the topic's partition count.
  std::vector<int32_t> partitions() const;
  int32_t partition_count() const;
  // The fetch.wait.max.ms in effect.
  std::chrono::milliseconds fetch_wait() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nebula
