#include "common/kafka/record_producer.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include "common/error.h"

namespace nebula::kafka {

size_t DeliveredPrefix(const std::vector<DeliveryResult>& results) {
  size_t n = 0;
  while (n < results.size() && results[n].delivered) ++n;
  return n;
}

namespace {

// Properties that carry the ordering and durability guarantees of the outbox relay.
const std::set<std::string> kFixedProperties = {
    "enable.idempotence", "acks", "request.required.acks", "partitioner", "bootstrap.servers", "metadata.broker.list",
};

constexpr std::chrono::milliseconds kPollInterval{50};
// Extra time past message.timeout.ms before giving up on a report librdkafka owes us.
constexpr std::chrono::milliseconds kReportGrace{5000};

void Set(RdKafka::Conf& conf, const std::string& name, const std::string& value) {
  std::string errstr;
  if (conf.set(name, value, errstr) != RdKafka::Conf::CONF_OK)
    throw Error(ErrorCode::kInvalidArgument, "kafka property " + name + ": " + errstr);
}

// librdkafka reports each broker problem twice (a log line and an error event) and repeats it many
// times a second while a broker is down. Error events are logged (each kind at most every 30 s);
// log lines only at debug level unless they are critical.
class EventLogger : public RdKafka::EventCb {
 public:
  explicit EventLogger(std::string client) : client_(std::move(client)) {}

  void event_cb(RdKafka::Event& event) override {
    spdlog::level::level_enum level;
    int kind;
    switch (event.type()) {
      case RdKafka::Event::EVENT_ERROR:
        level = event.fatal() ? spdlog::level::err : spdlog::level::warn;
        kind = static_cast<int>(event.err());
        break;
      case RdKafka::Event::EVENT_LOG:
        level = event.severity() <= RdKafka::Event::EVENT_SEVERITY_CRITICAL ? spdlog::level::err : spdlog::level::debug;
        kind = -100000 - static_cast<int>(event.severity());
        break;
      default: return;
    }
    std::lock_guard lock(mutex_);  // log events arrive on librdkafka's own threads
    auto now = std::chrono::steady_clock::now();
    auto [it, first] = last_logged_.try_emplace(kind, now);
    if (!first && level > spdlog::level::debug && now - it->second < std::chrono::seconds(30)) return;
    it->second = now;
    std::string what = event.type() == RdKafka::Event::EVENT_ERROR ? RdKafka::err2str(event.err()) : event.fac();
    spdlog::log(level, "kafka {}: {}: {}", client_, what, event.str());
  }

 private:
  std::string client_;
  std::mutex mutex_;
  std::map<int, std::chrono::steady_clock::time_point> last_logged_;
};

struct Slot {
  DeliveryResult* result;
  size_t* outstanding;
};

// Routes each report to the slot of the batch that is waiting for it. Reports for abandoned
// batches (stopped or timed out) find no slot and are dropped.
class DeliveryRouter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    auto it = slots_.find(reinterpret_cast<uintptr_t>(message.msg_opaque()));
    if (it == slots_.end()) return;
    Slot slot = it->second;
    slots_.erase(it);
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      slot.result->delivered = true;
    } else {
      slot.result->error = RdKafka::err2str(message.err());
    }
    --*slot.outstanding;
  }

  uintptr_t Register(Slot slot) {
    uintptr_t id = ++next_id_;
    slots_.emplace(id, slot);
    return id;
  }
  void Forget(uintptr_t id) { slots_.erase(id); }
  void ForgetAll() { slots_.clear(); }

 private:
  uintptr_t next_id_ = 0;
  std::unordered_map<uintptr_t, Slot> slots_;
};

class KafkaRecordProducer final : public RecordProducer {
 public:
  explicit KafkaRecordProducer(ProducerSettings settings) : settings_(std::move(settings)) {
    for (const auto& [name, value] : settings_.properties)
      if (kFixedProperties.count(name))
        throw Error(ErrorCode::kInvalidArgument,
                    "kafka property " + name + " cannot be overridden: the outbox relay relies on its value");
    producer_ = Create();  // fail fast on bad properties
  }

  ~KafkaRecordProducer() override {
    std::lock_guard lock(mutex_);
    Destroy();
  }

  BatchDelivery Produce(std::string_view topic, const std::vector<ProducerRecord>& records,
                        std::stop_token stop) override {
    std::lock_guard lock(mutex_);
    BatchDelivery batch;
    batch.results.resize(records.size());
    if (records.empty()) return batch;
    if (!producer_) {
      try {
        producer_ = Create();
      } catch (const std::exception& e) {
        for (auto& r : batch.results) r.error = e.what();
        return batch;
      }
    }
    const auto deadline = std::chrono::steady_clock::now() + settings_.delivery_timeout + kReportGrace;
    const std::string topic_name(topic);
    size_t outstanding = 0;
    std::vector<uintptr_t> ids;
    ids.reserve(records.size());

    size_t produced = 0;
    for (; produced < records.size() && !stop.stop_requested(); ++produced) {
      const auto& record = records[produced];
      uintptr_t id = router_.Register({&batch.results[produced], &outstanding});
      ids.push_back(id);
      RdKafka::ErrorCode err;
      while (true) {
        void* payload = record.value ? const_cast<char*>(record.value->data()) : nullptr;
        size_t length = record.value ? record.value->size() : 0;
        err = producer_->produce(topic_name, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY, payload,
                                 length, record.key.data(), record.key.size(), 0, reinterpret_cast<void*>(id));
        if (err != RdKafka::ERR__QUEUE_FULL || stop.stop_requested() || std::chrono::steady_clock::now() >= deadline)
          break;
        producer_->poll(int(kPollInterval.count()));  // drain reports to make room
      }
      if (err != RdKafka::ERR_NO_ERROR) {
        router_.Forget(id);
        batch.results[produced].error = RdKafka::err2str(err);
        break;  // records after a failed one would overtake it on retry
      }
      ++outstanding;
    }
    for (size_t i = produced; i < records.size(); ++i)
      if (batch.results[i].error.empty()) batch.results[i].error = "not produced: an earlier record was not accepted";

    while (outstanding > 0 && !stop.stop_requested() && std::chrono::steady_clock::now() < deadline)
      producer_->poll(int(kPollInterval.count()));
    for (uintptr_t id : ids) router_.Forget(id);
    for (auto& r : batch.results)
      if (!r.delivered && r.error.empty())
        r.error = stop.stop_requested() ? "stopped before the delivery report arrived" : "no delivery report in time";

    std::string fatal;
    if (producer_->fatal_error(fatal) != RdKafka::ERR_NO_ERROR) {
      // An idempotent producer that hit a fatal error cannot produce again; start a fresh one.
      spdlog::error("kafka producer fatal error, recreating the producer: {}", fatal);
      Destroy();
    }
    batch.delivered_prefix = DeliveredPrefix(batch.results);
    return batch;
  }

 private:
  std::unique_ptr<RdKafka::Producer> Create() {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    Set(*conf, "bootstrap.servers", settings_.brokers);
    Set(*conf, "client.id", "nebula");
    Set(*conf, "linger.ms", "5");
    Set(*conf, "socket.keepalive.enable", "true");
    Set(*conf, "message.timeout.ms", std::to_string(settings_.delivery_timeout.count()));
    for (const auto& [name, value] : settings_.properties) Set(*conf, name, value);
    Set(*conf, "enable.idempotence", "true");
    Set(*conf, "acks", "all");
    Set(*conf, "partitioner", "murmur2_random");
    std::string errstr;
    if (conf->set("dr_cb", &router_, errstr) != RdKafka::Conf::CONF_OK ||
        conf->set("event_cb", &events_, errstr) != RdKafka::Conf::CONF_OK)
      throw Error(ErrorCode::kInternal, "kafka producer callbacks: " + errstr);
    std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), errstr));
    if (!producer) throw Error(ErrorCode::kInvalidArgument, "cannot create kafka producer: " + errstr);
    return producer;
  }

  void Destroy() {
    if (!producer_) return;
    router_.ForgetAll();
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    producer_->flush(1000);  // serves the purge reports; bounded so shutdown never hangs
    producer_.reset();
  }

  ProducerSettings settings_;
  std::mutex mutex_;
  DeliveryRouter router_;
  EventLogger events_{"producer"};
  std::unique_ptr<RdKafka::Producer> producer_;
};

}  // namespace

std::unique_ptr<RecordProducer> MakeKafkaRecordProducer(const ProducerSettings& settings) {
  return std::make_unique<KafkaRecordProducer>(settings);
}

}  // namespace nebula::kafka
