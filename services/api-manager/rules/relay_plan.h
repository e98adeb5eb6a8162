// What the outbox relay does after producing a batch (pure): delete only the leading rows whose
// records were delivered and retry from the first one that was not. Never deleting past an
// undelivered row is what keeps the newest generation of every key last on the compacted topic:
// the retry re-produces that row and everything after it, in order.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "api-manager/rules/generation_fence.h"
#include "api-manager/store/outbox.h"
#include "common/kafka/record_producer.h"

namespace nebula::api_manager {

struct RelayStep {
  std::vector<int64_t> delete_ids;  // ids of the delivered prefix, in batch order
  size_t undelivered = 0;           // rows left in the outbox for the next attempt
  std::string first_error;          // why the first undelivered row was not delivered
};

// results[i] belongs to rows[i]; missing results count as not delivered.
RelayStep PlanRelayStep(const std::vector<OutboxRow>& rows, const std::vector<kafka::DeliveryResult>& results);

// Wait before the next attempt after this many failed attempts in a row (>= 1): 200 ms doubling
// up to 5 s. Short, because while Kafka is down every attempt already waits out the producer's
// delivery timeout, and a short pause means the relay catches up soon after Kafka returns.
std::chrono::milliseconds RelayBackoff(int consecutive_failures);

std::vector<kafka::ProducerRecord> RecordsOf(const std::vector<OutboxRow>& rows);

// superseded[i]: rows[i] carries a generation older than what the topic already holds for its key
// (outbox rows restored with an older database, written before the generation fence moved their
// object): the relay deletes them without producing them, so the topic never goes back a generation.
// Tombstones are never superseded.
std::vector<bool> SupersededRows(const std::vector<OutboxRow>& rows, const GenerationsByKey& published);

}  // namespace nebula::api_manager
