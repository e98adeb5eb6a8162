// Run by the outbox relay each time it becomes the active relay, before it relays anything: reads the
// newest generation of every key on nebula.desired, and moves every object the database holds behind
// it past it (api-manager/rules/generation_fence.h has the rule, docs/architecture.md "Restoring the
// database" what an operator sees).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <stop_token>
#include <string>

#include "api-manager/rules/generation_fence.h"
#include "api-manager/store/generation_store.h"

namespace nebula::api_manager {

// What the topic holds: the newest generation per key. Throws nebula::Error (kUnavailable when the
// topic cannot be read to its end in time).
class PublishedGenerations {
 public:
  virtual ~PublishedGenerations() = default;
  virtual GenerationsByKey Read(std::stop_token stop) = 0;
};

struct KafkaTopicSettings {
  std::string brokers;
  std::string topic;
  std::map<std::string, std::string> properties;  // TLS, SASL, … as for the producer
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
};

// Reads every partition of the topic from its start to the high watermark noted when it began.
std::unique_ptr<PublishedGenerations> MakeKafkaPublishedGenerations(KafkaTopicSettings settings);

class GenerationFence {
 public:
  GenerationFence(PublishedGenerations& topic, GenerationStore& store) : topic_(topic), store_(store) {}

  // Reads both sides, applies every jump; returns what the topic holds (for the relay's check of
  // older outbox rows, relay_plan.h SupersededRows). Throws on Kafka or database failures: the relay
  // must not relay before the fence has run.
  GenerationsByKey Apply(std::stop_token stop);

 private:
  PublishedGenerations& topic_;
  GenerationStore& store_;
};

}  // namespace nebula::api_manager
