// Moves outbox rows to nebula.desired (docs/architecture.md "Write path".2): exactly one active relay across replicas
// (the others stand by and retry), batches in id order, delete only what was delivered, woken by writers with a slow
// poll as a safety net. Kafka being down only makes the outbox grow.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stop_token>
#include <string>

#include "api-manager/relay/generation_fence.h"
#include "api-manager/store/outbox.h"
#include "common/kafka/record_producer.h"
#include "common/signing/record_signature.h"

namespace nebula::api_manager {

struct RelaySettings {
  std::string topic;
  size_t batch_size = 256;
  std::chrono::milliseconds poll_interval{2000};  // safety net for a missed notification
  std::chrono::milliseconds standby_retry{1000};  // how often a standby replica tries to lead
  std::chrono::milliseconds wait_slice{250};      // bounds the reaction time to a stop request
  // Set: every record's value is a SignedRecord by this key (common/signing/record_signature.h).
  std::optional<signing::SigningKey> signing_key;
};

struct RelayOutcome {
  size_t read = 0;       // rows read (0: the outbox was empty)
  size_t delivered = 0;  // rows delivered and deleted
  std::string first_error;
};

class OutboxRelay {
 public:
  // fence (optional): run on every takeover before the first batch (generation_fence.h); without it
  // the relay trusts that the database is never behind the topic.
  OutboxRelay(Outbox& outbox, kafka::RecordProducer& producer, RelaySettings settings,
              GenerationFence* fence = nullptr);

  // Runs until stop is requested. Never throws.
  void Run(std::stop_token stop);

  // One step while leading: read a batch, produce it (less the rows older than the topic), delete
  // the delivered prefix. Throws on database errors.
  RelayOutcome RelayBatch(std::stop_token stop);

  // Becoming the active relay: the fence, if any. Throws when it cannot run (the relay then resigns
  // and tries again, relaying nothing meanwhile).
  void TakeOver(std::stop_token stop);

 private:
  std::vector<kafka::ProducerRecord> Signed(std::vector<kafka::ProducerRecord> records) const;
  void Sleep(std::chrono::milliseconds duration, std::stop_token stop);
  void WaitForWork(std::stop_token stop);

  Outbox& outbox_;
  kafka::RecordProducer& producer_;
  RelaySettings settings_;
  GenerationFence* fence_;
  GenerationsByKey published_;  // newest generation per key on the topic, as far as this relay knows
};

}  // namespace nebula::api_manager
