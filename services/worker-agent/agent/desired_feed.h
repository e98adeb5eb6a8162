// Keeps a DesiredView up to date from topic nebula.desired on a thread of its own, and says when it
// changed (a new generation, or the initial read catching up).
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "core/desired_view.h"
#include "partition_reader.h"

namespace nebula::agent {

class DesiredFeed {
 public:
  // Throws nebula::Error for Kafka settings librdkafka rejects. Reads nothing before Start().
  DesiredFeed(const std::string& brokers, const std::map<std::string, std::string>& kafka_settings,
              const std::string& worker_id, std::vector<std::string> apps, std::function<void()> on_change);
  ~DesiredFeed();

  void Start();
  void Stop();

  DesiredView Snapshot() const;

 private:
  void Run();
  void ApplyRecord(const PartitionRecord& record);

  std::unique_ptr<PartitionReader> reader_;
  std::function<void()> on_change_;
  mutable std::mutex mutex_;
  DesiredView view_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace nebula::agent
