// The relay loop against fakes: what it deletes, what it retries, in which order it produces, and
// that a standby replica does nothing.
#include "api-manager/relay/outbox_relay.h"

#include "common/error.h"
#include "nebula/v1/desired_state.pb.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

namespace am = nebula::api_manager;
using nebula::kafka::BatchDelivery;
using nebula::kafka::ProducerRecord;

namespace {

class FakeOutbox final : public am::Outbox {
 public:
  bool TryLead() override {
    std::lock_guard lock(mutex_);
    if (fail_next_) {
      fail_next_ = false;
      throw std::runtime_error("connection lost");
    }
    return leader_;
  }
  void Resign() override { ++resigned_; }
  std::vector<am::OutboxRow> Read(size_t limit) override {
    std::lock_guard lock(mutex_);
    std::vector<am::OutboxRow> out;
    for (const auto& [id, row] : rows_) {
      if (out.size() == limit) break;
      out.push_back(row);
    }
    return out;
  }
  void Remove(const std::vector<int64_t>& ids) override {
    std::lock_guard lock(mutex_);
    for (int64_t id : ids) rows_.erase(id);
  }
  bool WaitForChange(std::chrono::milliseconds timeout) override {
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(5)));
    return false;
  }

  void Add(int64_t id, std::string key, std::optional<std::string> payload) {
    std::lock_guard lock(mutex_);
    rows_[id] = {id, std::move(key), std::move(payload)};
  }
  size_t size() {
    std::lock_guard lock(mutex_);
    return rows_.size();
  }
  void set_leader(bool leader) {
    std::lock_guard lock(mutex_);
    leader_ = leader;
  }
  void FailNextTryLead() {
    std::lock_guard lock(mutex_);
    fail_next_ = true;
  }
  std::atomic<int> resigned_{0};

 private:
  std::mutex mutex_;
  std::map<int64_t, am::OutboxRow> rows_;
  bool leader_ = true;
  bool fail_next_ = false;
};

// Delivers records until `fail_at` records have been delivered in total (then fails the rest of
// that batch); every produced record is kept in order.
class FakeProducer final : public nebula::kafka::RecordProducer {
 public:
  BatchDelivery Produce(std::string_view topic, const std::vector<ProducerRecord>& records, std::stop_token) override {
    std::lock_guard lock(mutex_);
    topic_ = topic;
    BatchDelivery batch;
    for (const auto& r : records) {
      bool ok = !fail_after_ || delivered_ < *fail_after_;
      produced_.push_back(r);
      if (ok) ++delivered_;
      batch.results.push_back({ok, ok ? "" : "Local: Broker transport failure"});
    }
    batch.delivered_prefix = nebula::kafka::DeliveredPrefix(batch.results);
    ++batches_;
    return batch;
  }
  void FailAfter(std::optional<size_t> n) {
    std::lock_guard lock(mutex_);
    fail_after_ = n;
  }
  std::vector<ProducerRecord> produced() {
    std::lock_guard lock(mutex_);
    return produced_;
  }
  int batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::string topic() {
    std::lock_guard lock(mutex_);
    return topic_;
  }

 private:
  std::mutex mutex_;
  std::optional<size_t> fail_after_;
  size_t delivered_ = 0;
  int batches_ = 0;
  std::string topic_;
  std::vector<ProducerRecord> produced_;
};

am::RelaySettings FastSettings(size_t batch_size = 256) {
  am::RelaySettings s;
  s.topic = "nebula.desired";
  s.batch_size = batch_size;
  s.poll_interval = std::chrono::milliseconds(20);
  s.standby_retry = std::chrono::milliseconds(10);
  s.wait_slice = std::chrono::milliseconds(5);
  return s;
}

bool WaitUntil(const std::function<bool()>& pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return pred();
}

std::vector<std::string> Keys(const std::vector<ProducerRecord>& records) {
  std::vector<std::string> keys;
  for (const auto& r : records) keys.push_back(r.key + (r.value ? "=" + *r.value : "=null"));
  return keys;
}

}  // namespace

TEST_CASE("a batch is produced in id order and deleted once delivered") {
  FakeOutbox outbox;
  FakeProducer producer;
  outbox.Add(2, "app/b", "b1");
  outbox.Add(1, "app/a", "a1");
  outbox.Add(3, "app/a", std::nullopt);
  am::OutboxRelay relay(outbox, producer, FastSettings());
  auto outcome = relay.RelayBatch({});
  CHECK(outcome.read == 3);
  CHECK(outcome.delivered == 3);
  CHECK(outbox.size() == 0);
  CHECK(producer.topic() == "nebula.desired");
  CHECK(Keys(producer.produced()) == std::vector<std::string>{"app/a=a1", "app/b=b1", "app/a=null"});
}

TEST_CASE("after a partial delivery the retry starts at the first undelivered row") {
  FakeOutbox outbox;
  FakeProducer producer;
  for (int64_t id = 1; id <= 4; ++id) outbox.Add(id, "app/a", "g" + std::to_string(id));
  producer.FailAfter(1);
  am::OutboxRelay relay(outbox, producer, FastSettings());
  auto first = relay.RelayBatch({});
  CHECK(first.delivered == 1);
  CHECK(first.first_error == "Local: Broker transport failure");
  CHECK(outbox.size() == 3);

  producer.FailAfter(std::nullopt);
  auto second = relay.RelayBatch({});
  CHECK(second.read == 3);
  CHECK(second.delivered == 3);
  CHECK(outbox.size() == 0);
  // The key's last record on the topic is its newest generation.
  auto produced = producer.produced();
  CHECK(Keys(produced) ==
        std::vector<std::string>{"app/a=g1", "app/a=g2", "app/a=g3", "app/a=g4", "app/a=g2", "app/a=g3", "app/a=g4"});
}

TEST_CASE("batches are bounded") {
  FakeOutbox outbox;
  FakeProducer producer;
  for (int64_t id = 1; id <= 5; ++id) outbox.Add(id, "app/x", "v");
  am::OutboxRelay relay(outbox, producer, FastSettings(2));
  CHECK(relay.RelayBatch({}).read == 2);
  CHECK(relay.RelayBatch({}).read == 2);
  CHECK(relay.RelayBatch({}).read == 1);
  CHECK(relay.RelayBatch({}).read == 0);
}

TEST_CASE("the running relay drains the outbox, keeps retrying while Kafka fails, then catches up") {
  FakeOutbox outbox;
  FakeProducer producer;
  producer.FailAfter(0);
  outbox.Add(1, "app/a", "1");
  am::OutboxRelay relay(outbox, producer, FastSettings());
  std::jthread thread([&](std::stop_token stop) { relay.Run(stop); });
  CHECK(WaitUntil([&] { return producer.batches() >= 2; }));  // retried
  CHECK(outbox.size() == 1);                                  // nothing lost
  outbox.Add(2, "app/b", "2");
  producer.FailAfter(std::nullopt);
  CHECK(WaitUntil([&] { return outbox.size() == 0; }));
  outbox.Add(3, "app/c", "3");  // new work after idling
  CHECK(WaitUntil([&] { return outbox.size() == 0; }));
}

TEST_CASE("a standby relay never produces, and takes over when it gets the lock") {
  FakeOutbox outbox;
  FakeProducer producer;
  outbox.set_leader(false);
  outbox.Add(1, "app/a", "1");
  am::OutboxRelay relay(outbox, producer, FastSettings());
  std::jthread thread([&](std::stop_token stop) { relay.Run(stop); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(producer.batches() == 0);
  CHECK(outbox.size() == 1);
  outbox.set_leader(true);
  CHECK(WaitUntil([&] { return outbox.size() == 0; }));
}

TEST_CASE("a database error makes the relay resign and start over") {
  FakeOutbox outbox;
  FakeProducer producer;
  outbox.FailNextTryLead();
  outbox.Add(1, "app/a", "1");
  am::OutboxRelay relay(outbox, producer, FastSettings());
  std::jthread thread([&](std::stop_token stop) { relay.Run(stop); });
  CHECK(WaitUntil([&] { return outbox.size() == 0; }));
  CHECK(outbox.resigned_ >= 1);
}

TEST_CASE("stopping the relay returns promptly and resigns") {
  FakeOutbox outbox;
  FakeProducer producer;
  am::OutboxRelay relay(outbox, producer, FastSettings());
  auto start = std::chrono::steady_clock::now();
  {
    std::jthread thread([&](std::stop_token stop) { relay.Run(stop); });
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  CHECK(outbox.resigned_ >= 1);
}

namespace {

std::string DesiredRecord(int64_t generation) {
  nebula::v1::DesiredState state;
  state.set_generation(generation);
  return state.SerializeAsString();
}

class FakeTopic final : public am::PublishedGenerations {
 public:
  am::GenerationsByKey Read(std::stop_token) override {
    ++reads;
    if (fail) throw nebula::Error(nebula::ErrorCode::kUnavailable, "broker down");
    return published;
  }
  am::GenerationsByKey published;
  std::atomic<bool> fail{false};
  std::atomic<int> reads{0};
};

// Jumps write an outbox row at the new generation, as the PostgreSQL store does.
class FakeGenerationStore final : public am::GenerationStore {
 public:
  explicit FakeGenerationStore(FakeOutbox& outbox) : outbox_(outbox) {}
  am::GenerationsByKey StoredGenerations() override { return stored; }
  bool Jump(const am::GenerationJump& jump, const am::WriteInfo& info) override {
    if (stored[jump.key] != jump.stored) return false;
    stored[jump.key] = jump.to;
    actions.push_back(info.action + " " + jump.key + " " + std::to_string(jump.to));
    outbox_.Add(next_id++, jump.key, DesiredRecord(jump.to));
    return true;
  }
  am::GenerationsByKey stored;
  std::vector<std::string> actions;
  int64_t next_id = 100;

 private:
  FakeOutbox& outbox_;
};

}  // namespace

TEST_CASE("taking over, the relay first moves every object behind the topic past it") {
  FakeOutbox outbox;
  FakeProducer producer;
  FakeTopic topic;
  FakeGenerationStore store(outbox);
  topic.published = {{"app/web", 101}, {"app/db", 2}};
  store.stored = {{"app/web", 3}, {"app/db", 2}};
  // Restored with the database: a row older than what the topic already carries.
  outbox.Add(1, "app/web", DesiredRecord(3));
  am::GenerationFence fence(topic, store);
  am::OutboxRelay relay(outbox, producer, FastSettings(), &fence);
  relay.TakeOver({});
  CHECK(store.actions == std::vector<std::string>{"GenerationFence app/web 102"});
  auto outcome = relay.RelayBatch({});
  CHECK(outcome.read == 2);
  CHECK(outcome.delivered == 2);
  CHECK(outbox.size() == 0);
  // The generation-3 row was dropped, not produced: the topic never goes from 101 back to 3.
  REQUIRE(producer.produced().size() == 1);
  CHECK(producer.produced()[0].key == "app/web");
  CHECK(producer.produced()[0].value == DesiredRecord(102));
}

TEST_CASE("the relay relays nothing until the fence could read the topic") {
  FakeOutbox outbox;
  FakeProducer producer;
  FakeTopic topic;
  FakeGenerationStore store(outbox);
  topic.fail = true;
  outbox.Add(1, "app/web", DesiredRecord(1));
  am::GenerationFence fence(topic, store);
  am::OutboxRelay relay(outbox, producer, FastSettings(), &fence);
  {
    std::jthread run([&](std::stop_token stop) { relay.Run(stop); });
    CHECK(WaitUntil([&] { return topic.reads >= 3; }));
    CHECK(producer.produced().empty());
    CHECK(outbox.resigned_ >= 2);  // each failed takeover gives the lock back
    topic.fail = false;
    CHECK(WaitUntil([&] { return outbox.size() == 0; }));
  }
  CHECK(producer.produced().size() == 1);
}

TEST_CASE("without a fence the relay relays every row as before") {
  FakeOutbox outbox;
  FakeProducer producer;
  outbox.Add(1, "app/web", DesiredRecord(3));
  am::OutboxRelay relay(outbox, producer, FastSettings());
  relay.TakeOver({});
  CHECK(relay.RelayBatch({}).delivered == 1);
  CHECK(producer.produced().size() == 1);
}
