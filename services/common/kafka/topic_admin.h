// Creating the topics the control plane owns (nebula.desired, nebula.reports) at start, through
// librdkafka's admin API. Idempotent: a topic that already exists is left as it is and described.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace nebula::kafka {

struct TopicInfo {
  bool created = false;        // false: it existed already
  int32_t partitions = 0;      // as the cluster reports it (may differ from the request if it existed)
  std::string cleanup_policy;  // e.g. "compact", "delete"
};

class TopicAdmin {
 public:
  // properties: extra librdkafka settings (TLS, SASL). Throws nebula::Error(kInvalidArgument) for
  // bad properties.
  explicit TopicAdmin(std::string brokers, std::map<std::string, std::string> properties = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~TopicAdmin();
  TopicAdmin(const TopicAdmin&) = delete;
  TopicAdmin& operator=(const TopicAdmin&) = delete;

  // Creates the topic (replication factor: the broker default) unless it exists. Throws
  // nebula::Error(kUnavailable) when the cluster cannot be reached in time, and
  // nebula::Error(kFailedPrecondition) when the cluster refuses (e.g. not authorized).
  TopicInfo EnsureTopic(const std::string& name, int32_t partitions, bool compacted);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nebula::kafka
