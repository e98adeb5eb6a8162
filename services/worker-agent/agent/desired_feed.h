// Keeps a DesiredView up to date from topic nebula.desired on a thread of its own, and says when it
// changed (a new generation, or the initial read catching up). A record is applied to the view and
// logged ("desired app/<app>: new generation") as soon as it arrives, before anyone is told. Idle,
// the thread sleeps in the reader (no periodic wake-up of its own); Stop() wakes it.
#pragma once

#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

#include "worker-agent/agent/record_gate.h"
#include "worker-agent/core/desired_view.h"
#include "common/kafka/partition_reader.h"

namespace nebula::agent {

class DesiredFeed {
 public:
  // Throws nebula::Error for Kafka settings librdkafka rejects. Reads nothing before Start().
  DesiredFeed(const std::string& brokers, const std::map<std::string, std::string>& kafka_settings,
              const std::string& worker_id, std::vector<std::string> apps, std::function<void()> on_change);
  // Device-group mode: follows "group/<group>" and, as its lists change, their apps and cron jobs
  // (the reader is replaced by one for the new key set, which reads those partitions from the start).
  DesiredFeed(const std::string& brokers, const std::map<std::string, std::string>& kafka_settings,
              const std::string& worker_id, DesiredView view, std::function<void()> on_change);
  ~DesiredFeed();

  // Records pass through gate (verification, record_gate.h) before the view sees them. Before Start().
  void SetGate(RecordGate* gate) { gate_ = gate; }

  void Start();
  void Stop();

  DesiredView Snapshot() const;

 private:
  void Run(std::stop_token stop);

  std::unique_ptr<PartitionReader> MakeReader(const std::vector<std::string>& keys) const;

  std::string brokers_;
  std::map<std::string, std::string> kafka_settings_;
  std::string client_id_;
  std::vector<std::string> keys_;  // what reader_ follows
  // Replaced by the feed thread only (device-group lists changing); reader_mutex_ guards the pointer
  // against Stop(), which wakes the reader from another thread.
  std::mutex reader_mutex_;
  std::unique_ptr<PartitionReader> reader_;
  std::function<void()> on_change_;
  RecordGate* gate_ = nullptr;
  mutable std::mutex mutex_;
  DesiredView view_;
  std::jthread thread_;
};

}  // namespace nebula::agent
