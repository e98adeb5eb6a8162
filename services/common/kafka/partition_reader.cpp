#include "common/kafka/partition_reader.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <set>
#include <utility>

#include "common/error.h"
#include "common/partitioner.h"

namespace nebula {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kRetryInterval = 1s;
constexpr auto kRepeatLogInterval = 60s;
constexpr size_t kMaxBatch = 1000;

// Broker trouble repeats every few hundred milliseconds; say it once a minute per kind.
class LogThrottle {
 public:
  bool Allow(const std::string& kind) {
    const auto now = Clock::now();
    auto [it, inserted] = last_.try_emplace(kind, now);
    if (inserted) return true;
    if (now - it->second < kRepeatLogInterval) return false;
    it->second = now;
    return true;
  }
  void Reset() { last_.clear(); }

 private:
  std::map<std::string, Clock::time_point> last_;
};

class EventLogger : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        if (throttle.Allow("error:" + RdKafka::err2str(event.err()))) {
          spdlog::warn("kafka: {} (retrying)", event.str());
        }
        break;
      case RdKafka::Event::EVENT_LOG:
        if (event.severity() <= RdKafka::Event::EVENT_SEVERITY_WARNING && throttle.Allow("log:" + event.fac())) {
          spdlog::warn("kafka: {}: {}", event.fac(), event.str());
        }
        break;
      default: break;
    }
  }
  LogThrottle throttle;
};

int Millis(Clock::duration d) {
  return static_cast<int>(std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

}  // namespace

struct PartitionReader::Impl {
  PartitionReaderOptions options;
  std::set<std::string, std::less<>> keys;
  EventLogger events;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::unique_ptr<RdKafka::Topic> topic;       // handle for metadata requests
  rd_kafka_queue_t* consumer_queue = nullptr;  // what consume() waits on; Wake() yields it

  std::mutex wake_mutex;
  std::condition_variable wake_cv;
  bool woken = false;

  // True (and reset) when Wake() was called since the last check.
  bool TakeWake() {
    std::lock_guard lock(wake_mutex);
    return std::exchange(woken, false);
  }
  // Sleeps until `until` or Wake().
  void SleepUntil(Clock::time_point until) {
    std::unique_lock lock(wake_mutex);
    wake_cv.wait_until(lock, until, [&] { return woken; });
    woken = false;
  }

  std::chrono::milliseconds fetch_wait{0};  // in effect
  bool assigned = false;
  int32_t partition_count = 0;
  std::vector<int32_t> partitions;
  std::map<int32_t, int64_t> targets;  // high watermark when assigned
  std::set<int32_t> reached;
  bool caught_up = false;
  Clock::time_point next_discovery{};
  Clock::time_point next_refresh{};
  LogThrottle throttle;

  // Partition count of the topic, 0 when it does not exist (yet) or the brokers cannot say.
  int32_t FetchPartitionCount(Clock::duration timeout) {
    RdKafka::Metadata* raw = nullptr;
    const auto err = consumer->metadata(false, topic.get(), &raw, std::max(Millis(timeout), 100));
    std::unique_ptr<RdKafka::Metadata> metadata(raw);
    if (err != RdKafka::ERR_NO_ERROR) {
      if (throttle.Allow("metadata"))
        spdlog::warn("kafka: no metadata for {}: {} (retrying)", options.topic, RdKafka::err2str(err));
      return 0;
    }
    for (const auto* t : *metadata->topics()) {
      if (t->topic() != options.topic) continue;
      if (t->err() != RdKafka::ERR_NO_ERROR || t->partitions()->empty()) {
        if (throttle.Allow("topic"))
          spdlog::info("kafka: waiting for topic {} ({})", options.topic, RdKafka::err2str(t->err()));
        return 0;
      }
      return static_cast<int32_t>(t->partitions()->size());
    }
    return 0;
  }

  void TryAssign(Clock::time_point deadline) {
    next_discovery = Clock::now() + kRetryInterval;
    const int32_t count = FetchPartitionCount(deadline - Clock::now());
    if (count <= 0) return;

    std::set<int32_t> wanted;
    if (options.every_key) {
      for (int32_t p = 0; p < count; ++p) wanted.insert(p);
    } else {
      for (const auto& key : keys) wanted.insert(PartitionForKey(key, count));
    }
    std::map<int32_t, int64_t> high_marks, low_marks;
    std::set<int32_t> empty;
    for (int32_t p : wanted) {
      int64_t low = 0, high = 0;
      const auto err = consumer->query_watermark_offsets(options.topic, p, &low, &high,
                                                         std::max(Millis(deadline - Clock::now()), 500));
      if (err != RdKafka::ERR_NO_ERROR) {
        if (throttle.Allow("watermarks")) {
          spdlog::warn("kafka: no watermarks for {} [{}]: {} (retrying)", options.topic, p, RdKafka::err2str(err));
        }
        return;
      }
      high_marks[p] = high;
      low_marks[p] = low;
      if (high <= low) empty.insert(p);
    }

    std::vector<RdKafka::TopicPartition*> assignment;
    // From the low watermarks just read, not OFFSET_BEGINNING: a logical offset is resolved per
    // partition by a request of its own, so the partitions would join the fetch one by one, and a
    // partition resolved after the first (long-waiting) fetch left would wait for that fetch to end.
    // Should the log start move meanwhile, auto.offset.reset=earliest starts over at the new one.
    for (int32_t p : wanted) {
      assignment.push_back(RdKafka::TopicPartition::create(options.topic, p, low_marks[p]));
    }
    const auto err = consumer->assign(assignment);
    RdKafka::TopicPartition::destroy(assignment);
    if (err != RdKafka::ERR_NO_ERROR) {
      spdlog::warn("kafka: assigning {} failed: {} (retrying)", options.topic, RdKafka::err2str(err));
      return;
    }
    assigned = true;
    partition_count = count;
    partitions.assign(wanted.begin(), wanted.end());
    targets = std::move(high_marks);
    reached = std::move(empty);
    next_refresh = Clock::now() + options.metadata_refresh;
    throttle.Reset();
    std::string list;
    for (int32_t p : partitions) list += (list.empty() ? "" : ",") + std::to_string(p);
    spdlog::info("kafka: reading {} partitions [{}] of {} ({} partitions) from the beginning", partitions.size(), list,
                 options.topic, count);
    UpdateCaughtUp();
  }

  void Unassign(const std::string& why) {
    spdlog::warn("kafka: re-reading {}: {}", options.topic, why);
    consumer->unassign();
    assigned = false;
    partitions.clear();
    next_discovery = Clock::now();
  }

  void RefreshPartitionCount() {
    next_refresh = Clock::now() + options.metadata_refresh;
    const int32_t count = FetchPartitionCount(2s);
    if (count > 0 && count != partition_count) {
      Unassign("partition count changed from " + std::to_string(partition_count) + " to " + std::to_string(count));
    }
  }

  void Reached(int32_t partition, int64_t next_offset) {
    auto it = targets.find(partition);
    if (it != targets.end() && next_offset >= it->second) reached.insert(partition);
    UpdateCaughtUp();
  }

  void UpdateCaughtUp() {
    if (caught_up || !assigned) return;
    for (int32_t p : partitions) {
      if (!reached.count(p)) return;
    }
    caught_up = true;
    spdlog::info("kafka: initial read of {} caught up", options.topic);
  }

  // Returns false when nothing more is waiting.
  bool Handle(RdKafka::Message& msg, std::vector<PartitionRecord>& out) {
    switch (msg.err()) {
      case RdKafka::ERR_NO_ERROR: {
        Reached(msg.partition(), msg.offset() + 1);
        const std::string* key = msg.key();
        if (!key || (!options.every_key && !keys.count(*key))) return true;
        PartitionRecord r;
        r.key = *key;
        if (msg.payload()) r.value = std::string(static_cast<const char*>(msg.payload()), msg.len());
        r.partition = msg.partition();
        r.offset = msg.offset();
        out.push_back(std::move(r));
        return true;
      }
      case RdKafka::ERR__PARTITION_EOF:
        // At the end now, whatever compaction removed in between.
        if (targets.count(msg.partition())) reached.insert(msg.partition());
        UpdateCaughtUp();
        return true;
      case RdKafka::ERR__TIMED_OUT: return false;
      case RdKafka::ERR_UNKNOWN_TOPIC_OR_PART:
      case RdKafka::ERR__UNKNOWN_TOPIC:
      case RdKafka::ERR__UNKNOWN_PARTITION: Unassign(msg.errstr()); return false;
      default:
        if (throttle.Allow("consume:" + std::to_string(msg.err()))) {
          spdlog::warn("kafka: reading {}: {} (retrying)", options.topic, msg.errstr());
        }
        return false;
    }
  }
};

PartitionReader::PartitionReader(PartitionReaderOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->keys.insert(impl_->options.keys.begin(), impl_->options.keys.end());

  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string errstr;
  auto set = [&](const std::string& name, const std::string& value) {
    if (conf->set(name, value, errstr) != RdKafka::Conf::CONF_OK) {
      throw Error(ErrorCode::kInvalidArgument, "kafka setting " + name + ": " + errstr);
    }
  };
  set("bootstrap.servers", impl_->options.brokers);
  set("client.id", impl_->options.client_id);
  // Required by KafkaConsumer; never joined, since nothing is subscribed.
  set("group.id", "nebula-partition-reader");
  set("enable.auto.commit", "false");
  set("enable.auto.offset.store", "false");
  set("enable.partition.eof", "true");
  set("allow.auto.create.topics", "false");
  set("auto.offset.reset", "earliest");
  set("log.connection.close", "false");
  const auto& user = impl_->options.settings;
  if (!user.count("fetch.wait.max.ms")) {
    int64_t wait = impl_->options.fetch_wait.count();
    if (auto it = user.find("socket.timeout.ms"); it != user.end()) {
      try {
        wait = std::min<int64_t>(wait, std::stoll(it->second) - 1000);
      } catch (const std::exception&) {
        // Not a number: librdkafka rejects it below with its own message.
      }
    }
    wait = std::max<int64_t>(wait, 100);
    set("fetch.wait.max.ms", std::to_string(wait));
    impl_->fetch_wait = std::chrono::milliseconds(wait);
  } else {
    try {
      impl_->fetch_wait = std::chrono::milliseconds(std::stoll(user.at("fetch.wait.max.ms")));
    } catch (const std::exception&) {
      // librdkafka rejects it below.
    }
  }
  for (const auto& [name, value] : user) set(name, value);
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&impl_->events), errstr) != RdKafka::Conf::CONF_OK) {
    throw Error(ErrorCode::kInternal, "kafka event callback: " + errstr);
  }

  impl_->consumer.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  if (!impl_->consumer) throw Error(ErrorCode::kInvalidArgument, "kafka consumer: " + errstr);
  impl_->topic.reset(RdKafka::Topic::create(impl_->consumer.get(), impl_->options.topic, nullptr, errstr));
  if (!impl_->topic) throw Error(ErrorCode::kInvalidArgument, "kafka topic " + impl_->options.topic + ": " + errstr);
  impl_->consumer_queue = rd_kafka_queue_get_consumer(impl_->consumer->c_ptr());
}

PartitionReader::~PartitionReader() {
  if (impl_ && impl_->consumer) {
    if (impl_->consumer_queue) rd_kafka_queue_destroy(impl_->consumer_queue);
    impl_->topic.reset();
    impl_->consumer->close();
  }
}

std::vector<PartitionRecord> PartitionReader::Poll(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  std::vector<PartitionRecord> out;
  Impl& s = *impl_;
  // The caller waits for caught_up(): return as soon as it turns, not at the end of the timeout.
  const bool was_caught_up = s.caught_up;
  if (s.TakeWake()) return out;
  if (!s.assigned) {
    if (Clock::now() >= s.next_discovery) s.TryAssign(deadline);
    if (!s.assigned) {
      s.SleepUntil(std::min(deadline, s.next_discovery));
      return out;
    }
    if (s.caught_up != was_caught_up) return out;
  }
  if (Clock::now() >= s.next_refresh) {
    s.RefreshPartitionCount();
    if (!s.assigned) return out;
  }

  // One blocking wait: up to the deadline, or the next partition-count check if that comes first.
  // A Wake() from now on yields the consumer queue, so the wait ends at once.
  const auto wait_until = std::min(deadline, s.next_refresh);
  std::unique_ptr<RdKafka::Message> msg(s.consumer->consume(Millis(wait_until - Clock::now())));
  s.TakeWake();
  bool more = msg && s.Handle(*msg, out);
  while (more && out.size() < kMaxBatch && s.assigned && s.caught_up == was_caught_up) {
    msg.reset(s.consumer->consume(0));
    more = msg && s.Handle(*msg, out);
  }
  return out;
}

void PartitionReader::Wake() {
  {
    std::lock_guard lock(impl_->wake_mutex);
    impl_->woken = true;
  }
  impl_->wake_cv.notify_all();
  if (impl_->consumer_queue) rd_kafka_queue_yield(impl_->consumer_queue);
}

std::chrono::milliseconds PartitionReader::fetch_wait() const { return impl_->fetch_wait; }

bool PartitionReader::caught_up() const { return impl_->caught_up; }
std::vector<int32_t> PartitionReader::partitions() const { return impl_->partitions; }
int32_t PartitionReader::partition_count() const { return impl_->partition_count; }

}  // namespace nebula
