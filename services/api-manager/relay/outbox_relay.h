// Moves outbox rows to nebula.desired (docs/architecture.md "Write path".2): exactly one active relay across replicas (the
// others stand by and retry), batches in id order, delete only what was delivered, woken by writers
// with a slow poll as a safety net. Kafka being down only makes the outbox grow.
#pragma once

#include <chrono>
#include <cstddef>
#include <stop_token>
#include <string>

#include "api-manager/store/outbox.h"
#include "common/kafka/record_producer.h"

namespace nebula::api_manager {

struct RelaySettings {
  std::string topic;
  size_t batch_size = 256;
  std::chrono::milliseconds poll_interval{2000};   // safety net for a missed notification
  std::chrono::milliseconds standby_retry{1000};   // how often a standby replica tries to lead
  std::chrono::milliseconds wait_slice{250};       // bounds the reaction time to a stop request
};

struct RelayOutcome {
  size_t read = 0;       // rows read (0: the outbox was empty)
  size_t delivered = 0;  // rows delivered and deleted
  std::string first_error;
};

class OutboxRelay {
 public:
  OutboxRelay(Outbox& outbox, kafka::RecordProducer& producer, RelaySettings settings);

  // Runs until stop is requested. Never throws.
  void Run(std::stop_token stop);

  // One step while leading: read a batch, produce it, delete the delivered prefix. Throws on
  // database errors.
  RelayOutcome RelayBatch(std::stop_token stop);

 private:
  void Sleep(std::chrono::milliseconds duration, std::stop_token stop);
  void WaitForWork(std::stop_token stop);

  Outbox& outbox_;
  kafka::RecordProducer& producer_;
  RelaySettings settings_;
};

}  // namespace nebula::api_manager
