#include "common/kafka/group_reader.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/error.h"

namespace nebula::kafka {
namespace {

class ErrorLogger : public RdKafka::EventCb {
 public:
  explicit ErrorLogger(std::string log_name) : log_name_(std::move(log_name)) {}

  void event_cb(RdKafka::Event& event) override {
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    // Broker outages repeat every few hundred milliseconds: once a minute is enough.
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::minutes(1)) return;
    last_ = now;
    spdlog::warn("kafka ({}): {} (retrying)", log_name_, event.str());
  }

 private:
  std::string log_name_;
  std::chrono::steady_clock::time_point last_{};
};

class KafkaGroupReader final : public GroupReader {
 public:
  explicit KafkaGroupReader(const GroupReaderOptions& options)
      : events_(options.log_name),
        topic_(options.topic),
        log_name_(options.log_name),
        max_batch_(std::max<size_t>(1, options.max_batch)) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::map<std::string, std::string> settings = {
        {"bootstrap.servers", options.brokers},
        {"group.id", options.group},
        {"client.id", options.client_id},
        {"auto.offset.reset", "earliest"},
        {"enable.auto.commit", "true"},
        {"enable.auto.offset.store", "false"},  // StoreReadOffsets() stores them
        {"enable.partition.eof", "false"},
    };
    for (const auto& [k, v] : options.properties) settings[k] = v;
    std::string errstr;
    for (const auto& [k, v] : settings) {
      if (conf->set(k, v, errstr) != RdKafka::Conf::CONF_OK)
        throw Error(ErrorCode::kInvalidArgument, "kafka setting " + k + ": " + errstr);
    }
    if (conf->set("event_cb", &events_, errstr) != RdKafka::Conf::CONF_OK)
      throw Error(ErrorCode::kInternal, "kafka event_cb: " + errstr);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), errstr));
    if (!consumer_) throw Error(ErrorCode::kInvalidArgument, "kafka consumer: " + errstr);
    auto err = consumer_->subscribe({topic_});
    if (err != RdKafka::ERR_NO_ERROR)
      throw Error(ErrorCode::kInternal, "subscribing to " + topic_ + ": " + RdKafka::err2str(err));
  }

  ~KafkaGroupReader() override { consumer_->close(); }

  std::vector<GroupRecord> Poll(std::chrono::milliseconds timeout) override {
    std::vector<GroupRecord> records;
    int wait = static_cast<int>(timeout.count());
    while (records.size() < max_batch_) {
      std::unique_ptr<RdKafka::Message> msg(consumer_->consume(wait));
      if (msg->err() == RdKafka::ERR__TIMED_OUT) break;
      wait = 0;  // drain what is already fetched, then return
      if (msg->err() != RdKafka::ERR_NO_ERROR) {
        spdlog::debug("kafka ({}): {}", log_name_, msg->errstr());
        continue;
      }
      GroupRecord record{.partition = msg->partition(), .offset = msg->offset()};
      if (msg->key()) record.key = *msg->key();
      if (msg->payload()) record.value = std::string(static_cast<const char*>(msg->payload()), msg->len());
      records.push_back(std::move(record));
      pending_[msg->partition()] = msg->offset() + 1;
    }
    return records;
  }

  void StoreReadOffsets() override {
    std::vector<RdKafka::TopicPartition*> offsets;
    for (const auto& [partition, next] : pending_) {
      auto* tp = RdKafka::TopicPartition::create(topic_, partition);
      tp->set_offset(next);
      offsets.push_back(tp);
    }
    pending_.clear();
    if (offsets.empty()) return;
    // Fails for partitions revoked meanwhile; their new owner re-reads them, which is harmless.
    consumer_->offsets_store(offsets);
    RdKafka::TopicPartition::destroy(offsets);
  }

 private:
  ErrorLogger events_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::string topic_;
  std::string log_name_;
  size_t max_batch_;
  std::map<int32_t, int64_t> pending_;  // partition → next offset to store
};

}  // namespace

std::unique_ptr<GroupReader> MakeKafkaGroupReader(const GroupReaderOptions& options) {
  return std::make_unique<KafkaGroupReader>(options);
}

}  // namespace nebula::kafka
