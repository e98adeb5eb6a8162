#include "api-manager/relay/outbox_relay.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include "api-manager/rules/relay_plan.h"

namespace nebula::api_manager {

OutboxRelay::OutboxRelay(Outbox& outbox, kafka::RecordProducer& producer, RelaySettings settings,
                         GenerationFence* fence)
    : outbox_(outbox), producer_(producer), settings_(std::move(settings)), fence_(fence) {}

std::vector<kafka::ProducerRecord> OutboxRelay::Signed(std::vector<kafka::ProducerRecord> records) const {
  if (!settings_.signing_key) return records;
  // Tombstones stay null: they only let compaction drop a deleted key, and agents that verify ignore them.
  for (auto& record : records)
    if (record.value) record.value = signing::SignRecord(*settings_.signing_key, record.key, *record.value);
  return records;
}

void OutboxRelay::TakeOver(std::stop_token stop) {
  if (fence_) published_ = fence_->Apply(stop);
}

RelayOutcome OutboxRelay::RelayBatch(std::stop_token stop) {
  RelayOutcome outcome;
  std::vector<OutboxRow> rows = outbox_.Read(settings_.batch_size);
  outcome.read = rows.size();
  if (rows.empty()) return outcome;
  const std::vector<bool> superseded = SupersededRows(rows, published_);
  std::vector<OutboxRow> to_produce;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (superseded[i]) {
      spdlog::info("outbox relay: dropping a record of {} older than the topic's", rows[i].key);
    } else {
      to_produce.push_back(rows[i]);
    }
  }
  kafka::BatchDelivery delivery;
  if (!to_produce.empty()) delivery = producer_.Produce(settings_.topic, Signed(RecordsOf(to_produce)), stop);
  // One result per row again: a superseded row counts as delivered (it is done with).
  std::vector<kafka::DeliveryResult> results;
  size_t next = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (superseded[i]) {
      results.push_back({.delivered = true});
    } else if (next < delivery.results.size()) {
      results.push_back(delivery.results[next++]);
    } else {
      break;  // no report: not delivered
    }
  }
  RelayStep step = PlanRelayStep(rows, results);
  if (!step.delete_ids.empty()) outbox_.Remove(step.delete_ids);
  if (fence_) {
    for (size_t i = 0; i < step.delete_ids.size(); ++i) NotePublished(published_, rows[i].key, rows[i].payload);
  }
  outcome.delivered = step.delete_ids.size();
  outcome.first_error = step.first_error;
  return outcome;
}

void OutboxRelay::Run(std::stop_token stop) {
  bool leading = false;
  int failures = 0;           // delivery attempts in a row that left rows behind
  int database_failures = 0;  // database errors in a row
  while (!stop.stop_requested()) {
    try {
      if (!outbox_.TryLead()) {
        if (leading) spdlog::warn("outbox relay: lost the relay lock; standing by");
        leading = false;
        Sleep(settings_.standby_retry, stop);
        continue;
      }
      database_failures = 0;
      if (!leading) {
        TakeOver(stop);
        spdlog::info("outbox relay: active (this replica holds the relay lock)");
        leading = true;
        failures = 0;
      }
      RelayOutcome outcome = RelayBatch(stop);
      if (outcome.read == 0) {
        WaitForWork(stop);
      } else if (outcome.delivered == outcome.read) {
        if (failures > 0) spdlog::info("outbox relay: delivering again after {} failed attempts", failures);
        failures = 0;
      } else if (!stop.stop_requested()) {
        ++failures;
        auto backoff = RelayBackoff(failures);
        // Once per doubling is enough while Kafka is down; the outbox keeps every change.
        if (failures <= 3 || (failures & (failures - 1)) == 0)
          spdlog::warn("outbox relay: delivered {} of {} records to {}; first failure: {}; retrying in {} ms",
                       outcome.delivered, outcome.read, settings_.topic, outcome.first_error, backoff.count());
        Sleep(backoff, stop);
      }
    } catch (const std::exception& e) {
      ++database_failures;
      if (database_failures <= 3 || (database_failures & (database_failures - 1)) == 0)
        spdlog::warn("outbox relay: {} (attempt {}); reconnecting", e.what(), database_failures);
      leading = false;
      try {
        outbox_.Resign();
      } catch (const std::exception& resign_error) {
        spdlog::debug("outbox relay: resign: {}", resign_error.what());
      }
      Sleep(settings_.standby_retry, stop);
    }
  }
  try {
    outbox_.Resign();
  } catch (const std::exception& e) {
    spdlog::debug("outbox relay: resign at stop: {}", e.what());
  }
  spdlog::info("outbox relay: stopped");
}

void OutboxRelay::WaitForWork(std::stop_token stop) {
  auto deadline = std::chrono::steady_clock::now() + settings_.poll_interval;
  while (!stop.stop_requested() && std::chrono::steady_clock::now() < deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (outbox_.WaitForChange(std::clamp(left, std::chrono::milliseconds(1), settings_.wait_slice))) return;
  }
}

void OutboxRelay::Sleep(std::chrono::milliseconds duration, std::stop_token stop) {
  std::mutex mutex;
  std::condition_variable_any cv;
  std::unique_lock lock(mutex);
  cv.wait_for(lock, stop, duration, [] { return false; });
}

}  // namespace nebula::api_manager
