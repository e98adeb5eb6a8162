// The Kafka adapters the outbox relay uses (services/common/kafka), against the stack's broker and
// against a broker that is not there.
#include <catch2/catch.hpp>
#include <librdkafka/rdkafkacpp.h>

#include <random>
#include <thread>

#include "common/error.h"
#include "common/kafka/record_producer.h"
#include "stack_fixture.h"
#include "common/kafka/topic_admin.h"

using namespace std::chrono_literals;
namespace kafka = nebula::kafka;

namespace {

std::string UniqueTopic(const std::string& prefix) {
  std::random_device rd;
  return "test." + prefix + "." + std::to_string(rd() % 1000000);
}

// (key, value or "<null>") of every record of a single-partition topic, in order.
std::vector<std::pair<std::string, std::string>> ReadPartition0(const std::string& topic) {
  std::string errstr;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", nebula::testing::SharedStack().kafka_brokers, errstr);
  conf->set("group.id", "kafka-adapters-test", errstr);
  conf->set("enable.auto.commit", "false", errstr);
  conf->set("enable.partition.eof", "true", errstr);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  REQUIRE(consumer);
  std::vector<RdKafka::TopicPartition*> assignment = {
      RdKafka::TopicPartition::create(topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  REQUIRE(consumer->assign(assignment) == RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(assignment);
  std::vector<std::pair<std::string, std::string>> out;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) break;
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    out.emplace_back(m->key() ? *m->key() : "",
                     m->payload() ? std::string(static_cast<const char*>(m->payload()), m->len()) : "<null>");
  }
  consumer->close();
  return out;
}

}  // namespace

TEST_CASE("TopicAdmin creates a topic once and describes it", "[integration]") {
  kafka::TopicAdmin admin(nebula::testing::SharedStack().kafka_brokers);
  const std::string topic = UniqueTopic("admin");
  auto created = admin.EnsureTopic(topic, 3, true);
  CHECK(created.created);
  CHECK(created.partitions == 3);
  CHECK(created.cleanup_policy == "compact");
  auto again = admin.EnsureTopic(topic, 5, false);
  CHECK_FALSE(again.created);
  CHECK(again.partitions == 3);  // an existing topic is left as it is
  CHECK(again.cleanup_policy == "compact");
}

TEST_CASE("TopicAdmin reports an unreachable cluster as UNAVAILABLE", "[integration]") {
  kafka::TopicAdmin admin("127.0.0.1:1", {}, 2s);
  auto start = std::chrono::steady_clock::now();
  try {
    admin.EnsureTopic("test.unreachable", 1, true);
    FAIL("no error");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == nebula::ErrorCode::kUnavailable);
    CHECK(std::string(e.what()).find("127.0.0.1:1") != std::string::npos);
  }
  CHECK(std::chrono::steady_clock::now() - start < 10s);
}

TEST_CASE("the record producer delivers an ordered batch, tombstones as null values", "[integration]") {
  const auto& stack = nebula::testing::SharedStack();
  const std::string topic = UniqueTopic("producer");
  kafka::TopicAdmin(stack.kafka_brokers).EnsureTopic(topic, 1, true);
  auto producer = kafka::MakeKafkaRecordProducer({.brokers = stack.kafka_brokers});
  std::vector<kafka::ProducerRecord> records;
  for (int i = 0; i < 50; ++i) records.push_back({"app/k" + std::to_string(i % 3), "v" + std::to_string(i)});
  records.push_back({"app/k0", std::nullopt});
  auto delivery = producer->Produce(topic, records, {});
  CHECK(delivery.delivered_prefix == records.size());
  for (const auto& r : delivery.results) CHECK(r.delivered);

  auto read = ReadPartition0(topic);
  REQUIRE(read.size() == records.size());
  for (size_t i = 0; i < 50; ++i) CHECK(read[i].second == "v" + std::to_string(i));
  CHECK(read.back() == std::pair<std::string, std::string>("app/k0", "<null>"));
}

TEST_CASE("the record producer reports every record undelivered when Kafka is unreachable", "[integration]") {
  auto producer = kafka::MakeKafkaRecordProducer({.brokers = "127.0.0.1:1", .delivery_timeout = 1500ms});
  std::vector<kafka::ProducerRecord> records = {{"app/a", "1"}, {"app/b", "2"}, {"app/a", std::nullopt}};
  auto start = std::chrono::steady_clock::now();
  auto delivery = producer->Produce("nebula.desired", records, {});
  CHECK(std::chrono::steady_clock::now() - start < 10s);
  CHECK(delivery.delivered_prefix == 0);
  REQUIRE(delivery.results.size() == 3);
  for (const auto& r : delivery.results) {
    CHECK_FALSE(r.delivered);
    CHECK_FALSE(r.error.empty());
  }

  SECTION("a stop request ends the wait at once") {
    auto slow = kafka::MakeKafkaRecordProducer({.brokers = "127.0.0.1:1", .delivery_timeout = 60s});
    std::stop_source stop;
    std::thread stopper([&] {
      std::this_thread::sleep_for(300ms);
      stop.request_stop();
    });
    auto t0 = std::chrono::steady_clock::now();
    auto stopped = slow->Produce("nebula.desired", records, stop.get_token());
    stopper.join();
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    CHECK(stopped.delivered_prefix == 0);
  }
}

TEST_CASE("the record producer refuses to weaken its guarantees", "[integration]") {
  for (const char* fixed : {"enable.idempotence", "acks", "partitioner"}) {
    INFO(fixed);
    CHECK_THROWS_AS(kafka::MakeKafkaRecordProducer({.brokers = "127.0.0.1:1", .properties = {{fixed, "x"}}}),
                    nebula::Error);
  }
  CHECK_THROWS_AS(kafka::MakeKafkaRecordProducer({.brokers = "127.0.0.1:1", .properties = {{"no.such.property", "1"}}}),
                  nebula::Error);
}
