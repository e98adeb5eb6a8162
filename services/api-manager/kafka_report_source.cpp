#include "kafka_report_source.h"

#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include "error.h"

namespace nebula::api_manager {
namespace {

class ErrorLogger : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    if (event.type() != RdKafka::Event::EVENT_ERROR) return;
    // Broker outages repeat every few hundred milliseconds: once a minute is enough.
    auto now = std::chrono::steady_clock::now();
    if (now - last_ < std::chrono::minutes(1)) return;
    last_ = now;
    spdlog::warn("kafka (reports consumer): {} (retrying)", event.str());
  }

 private:
  std::chrono::steady_clock::time_point last_{};
};

class KafkaReportSource final : public ReportSource {
 public:
  explicit KafkaReportSource(const KafkaReportSourceOptions& options) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::map<std::string, std::string> settings = {
        {"bootstrap.servers", options.brokers},
        {"group.id", options.group},
        {"client.id", "nebula-api-manager"},
        {"auto.offset.reset", "earliest"},
        {"enable.auto.commit", "true"},
        {"enable.auto.offset.store", "false"},  // Acknowledge() stores them
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
    auto err = consumer_->subscribe({options.topic});
    if (err != RdKafka::ERR_NO_ERROR)
      throw Error(ErrorCode::kInternal, "subscribing to " + options.topic + ": " + RdKafka::err2str(err));
    topic_ = options.topic;
  }

  ~KafkaReportSource() override { consumer_->close(); }

  std::vector<ReportRecord> Poll(std::chrono::milliseconds timeout) override {
    std::vector<ReportRecord> records;
    int wait = static_cast<int>(timeout.count());
    while (records.size() < 500) {
      std::unique_ptr<RdKafka::Message> msg(consumer_->consume(wait));
      if (msg->err() == RdKafka::ERR__TIMED_OUT) break;
      wait = 0;  // drain what is already fetched, then return
      if (msg->err() != RdKafka::ERR_NO_ERROR) {
        spdlog::debug("kafka (reports consumer): {}", msg->errstr());
        continue;
      }
      ReportRecord record;
      if (msg->key()) record.key = *msg->key();
      if (msg->payload()) record.value = std::string(static_cast<const char*>(msg->payload()), msg->len());
      records.push_back(std::move(record));
      pending_[msg->partition()] = msg->offset() + 1;
    }
    return records;
  }

  void Acknowledge() override {
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
  std::map<int32_t, int64_t> pending_;  // partition → next offset to store
};

}  // namespace

std::unique_ptr<ReportSource> MakeKafkaReportSource(const KafkaReportSourceOptions& options) {
  return std::make_unique<KafkaReportSource>(options);
}

}  // namespace nebula::api_manager
