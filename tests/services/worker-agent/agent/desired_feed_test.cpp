// DesiredFeed (and so PartitionReader) against the real Kafka of the dev stack: the records of its
// apps are found in the partitions the Java-compatible partitioner put them in (the test producer
// uses murmur2_random), the initial read catches up, and the feed tails new records.
#include <catch2/catch.hpp>
#include <librdkafka/rdkafkacpp.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "worker-agent/agent/desired_feed.h"
#include "common/desired_keys.h"
#include "common/error.h"
#include "stack_fixture.h"
#include "test_apps.h"
#include "test_producer.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using namespace std::chrono_literals;
using nebula::testing::Eventually;
using nebula::testing::SharedStack;

TEST_CASE("DesiredFeed reads its apps from nebula.desired, catches up, then tails", "[integration][kafka]") {
  const auto& stack = SharedStack();
  const std::string run = "it" + std::to_string(getpid());
  const std::string a = run + "-a", b = run + "-b", c = run + "-c";

  TestProducer producer(stack.kafka_brokers);
  producer.Send(nebula::AppKey(a), Record(a, 1, WebSpec(1)));
  producer.Send(nebula::AppKey(a), Record(a, 2, WebSpec(2)));
  producer.Send(nebula::AppKey(b), Record(b, 1, WebSpec(1)));
  producer.Send(nebula::AppKey(b), DeletedRecord(b, 2));
  producer.Send(nebula::AppKey(b), std::nullopt);

  std::atomic<int> changes{0};
  DesiredFeed feed(stack.kafka_brokers, {}, run, {a, b, c}, [&] { ++changes; });
  feed.Start();
  REQUIRE(Eventually([&] { return feed.Snapshot().caught_up(); }, 30s));
  CHECK(changes > 0);

  auto view = feed.Snapshot();
  CHECK(view.Desire(a).kind == DesireKind::kPresent);
  CHECK(view.Desire(a).generation == 2);
  CHECK(view.Desire(a).spec.containers_per().instance() == 2);
  CHECK(view.Desire(b).kind == DesireKind::kAbsent);
  CHECK(view.Desire(b).generation == 2);
  CHECK(view.Desire(c).kind == DesireKind::kAbsent);  // no record at all: run nothing
  CHECK(view.Desire(c).generation == 0);

  // Tailing: a newer generation arrives, an older one is ignored.
  const int before = changes;
  producer.Send(nebula::AppKey(a), Record(a, 3, WebSpec(3)));
  producer.Send(nebula::AppKey(a), Record(a, 1, WebSpec(1)));
  REQUIRE(Eventually([&] { return feed.Snapshot().Desire(a).generation == 3; }, 15s));
  CHECK(changes > before);
  std::this_thread::sleep_for(1s);
  CHECK(feed.Snapshot().Desire(a).generation == 3);
  CHECK(feed.Snapshot().Desire(a).spec.containers_per().instance() == 3);
  feed.Stop();

  // A second reader (an agent restarted) builds the same view from the beginning.
  DesiredFeed again(stack.kafka_brokers, {}, run, {a, b, c}, [] {});
  again.Start();
  REQUIRE(Eventually([&] { return again.Snapshot().caught_up(); }, 30s));
  CHECK(again.Snapshot().Desire(a).generation == 3);
  CHECK(again.Snapshot().Desire(b).kind == DesireKind::kAbsent);
}

TEST_CASE("DesiredFeed in device-group mode follows the group's lists as they change", "[integration][kafka]") {
  const auto& stack = SharedStack();
  const std::string run = "g" + std::to_string(getpid());
  const std::string group = run + "-edge", a = run + "-a", b = run + "-b", job = run + "-job";
  TestProducer producer(stack.kafka_brokers);
  producer.Send(nebula::AppKey(a), Record(a, 1, WebSpec(1)));
  producer.Send(nebula::AppKey(b), Record(b, 4, WebSpec(2)));
  producer.Send(nebula::DeviceGroupKey(group), GroupRecord(group, 1, {a}));

  std::atomic<int> changes{0};
  DesiredFeed feed(stack.kafka_brokers, {}, run, DesiredView::ForGroup(group), [&] { ++changes; });
  feed.Start();
  REQUIRE(Eventually([&] { return feed.Snapshot().caught_up(); }, 30s));
  auto view = feed.Snapshot();
  CHECK(view.apps() == std::vector<std::string>{a});
  CHECK(view.Desire(a).kind == DesireKind::kPresent);  // read by the second reader before catching up

  // b joins the group with a cron job: their records (written long before) are read.
  producer.Send(nebula::CronJobKey(job), CronRecord(job, 1, "* * * * *", "busybox:1"));
  producer.Send(nebula::DeviceGroupKey(group), GroupRecord(group, 2, {a, b}, {job}));
  REQUIRE(Eventually([&] { return feed.Snapshot().Desire(b).generation == 4; }, 30s));
  REQUIRE(Eventually([&] { return feed.Snapshot().CronJobs().size() == 1; }, 30s));
  CHECK(feed.Snapshot().apps() == std::vector<std::string>{a, b});

  // a leaves, a global prune comes.
  producer.Send(nebula::DeviceGroupKey(group), GroupRecord(group, 3, {b}, {job}, 5));
  REQUIRE(Eventually([&] { return feed.Snapshot().apps() == std::vector<std::string>{b}; }, 30s));
  CHECK(feed.Snapshot().group_prune_generation() == 5);
  feed.Stop();
}

TEST_CASE("an idle DesiredFeed gets a new record at once and stops at once", "[integration][kafka]") {
  const auto& stack = SharedStack();
  const std::string app = "idle" + std::to_string(getpid());
  TestProducer producer(stack.kafka_brokers);
  producer.Send(nebula::AppKey(app), Record(app, 1, WebSpec(1)));
  DesiredFeed feed(stack.kafka_brokers, {}, app, {app}, [] {});
  feed.Start();
  REQUIRE(Eventually([&] { return feed.Snapshot().caught_up(); }, 30s));
  std::this_thread::sleep_for(2s);  // the reader now waits in a long fetch at the broker

  producer.Send(nebula::AppKey(app), Record(app, 2, WebSpec(1)));
  const auto sent = std::chrono::steady_clock::now();
  REQUIRE(Eventually([&] { return feed.Snapshot().Desire(app).generation == 2; }, 15s));
  // The broker answers the waiting fetch as soon as the record is there: the wait costs no latency.
  CHECK(std::chrono::steady_clock::now() - sent < 2s);

  std::this_thread::sleep_for(1s);
  const auto stopping = std::chrono::steady_clock::now();
  feed.Stop();  // wakes the reader's blocking wait
  CHECK(std::chrono::steady_clock::now() - stopping < 2s);
}

TEST_CASE("PartitionReader keeps its fetch wait below a lowered socket.timeout.ms", "[integration][kafka]") {
  nebula::PartitionReaderOptions options;
  options.brokers = "127.0.0.1:1";  // no I/O before Poll()
  options.topic = "t";
  options.keys = {"k"};
  CHECK(nebula::PartitionReader(options).fetch_wait() == options.fetch_wait);
  // librdkafka wants socket.timeout.ms ≥ fetch.wait.max.ms + 1 s (else later requests time out).
  options.settings = {{"socket.timeout.ms", "3000"}};
  CHECK(nebula::PartitionReader(options).fetch_wait() == 2000ms);
  options.settings["fetch.wait.max.ms"] = "700";  // the caller's own choice stands
  CHECK(nebula::PartitionReader(options).fetch_wait() == 700ms);
  options.settings["fetch.wait.max.ms"] = "soon";
  CHECK_THROWS_AS(nebula::PartitionReader(options), nebula::Error);
}
