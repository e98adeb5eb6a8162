#include "common/kafka/topic_admin.h"

#include <librdkafka/rdkafka.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "common/error.h"

namespace nebula::kafka {
namespace {

template <class T, void (*Destroy)(T*)>
struct Deleter {
  void operator()(T* p) const {
    if (p) Destroy(p);
  }
};
using KafkaPtr = std::unique_ptr<rd_kafka_t, Deleter<rd_kafka_t, rd_kafka_destroy>>;
using QueuePtr = std::unique_ptr<rd_kafka_queue_t, Deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using EventPtr = std::unique_ptr<rd_kafka_event_t, Deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
using OptionsPtr =
    std::unique_ptr<rd_kafka_AdminOptions_t, Deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using NewTopicPtr = std::unique_ptr<rd_kafka_NewTopic_t, Deleter<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>>;
using ResourcePtr =
    std::unique_ptr<rd_kafka_ConfigResource_t, Deleter<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy>>;
using TopicPtr = std::unique_ptr<rd_kafka_topic_t, Deleter<rd_kafka_topic_t, rd_kafka_topic_destroy>>;

void LogCallback(const rd_kafka_t*, int level, const char* facility, const char* message) {
  // Syslog levels. Connection trouble (3, 4) also surfaces as the error EnsureTopic throws, so only
  // critical lines are worth more than debug.
  auto spd = level <= 2 ? spdlog::level::err : spdlog::level::debug;
  spdlog::log(spd, "kafka admin: {}: {}", facility, message);
}

}  // namespace

struct TopicAdmin::Impl {
  std::string brokers;
  std::chrono::milliseconds timeout;
  KafkaPtr rk;

  int TimeoutMs() const { return static_cast<int>(timeout.count()); }

  Error Unreachable(const std::string& what, const std::string& why) const {
    return Error(ErrorCode::kUnavailable, what + ": " + why + " (is Kafka reachable at " + brokers + "?)");
  }

  // Waits for the admin result event of one request.
  EventPtr Await(rd_kafka_queue_t* queue, const std::string& what) const {
    // The request times out on its own; the extra second only guards against a lost event.
    EventPtr event(rd_kafka_queue_poll(queue, TimeoutMs() + 1000));
    if (!event) throw Unreachable(what, "no answer in time");
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw Unreachable(what, rd_kafka_event_error_string(event.get()));
    return event;
  }

  OptionsPtr Options(rd_kafka_admin_op_t op) const {
    OptionsPtr options(rd_kafka_AdminOptions_new(rk.get(), op));
    char errstr[512];
    rd_kafka_AdminOptions_set_request_timeout(options.get(), TimeoutMs(), errstr, sizeof errstr);
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS)
      rd_kafka_AdminOptions_set_operation_timeout(options.get(), TimeoutMs(), errstr, sizeof errstr);
    return options;
  }

  bool Create(const std::string& name, int32_t partitions, bool compacted) {
    char errstr[512];
    NewTopicPtr topic(rd_kafka_NewTopic_new(name.c_str(), partitions, -1, errstr, sizeof errstr));
    if (!topic) throw Error(ErrorCode::kInvalidArgument, "topic " + name + ": " + errstr);
    if (compacted) rd_kafka_NewTopic_set_config(topic.get(), "cleanup.policy", "compact");
    QueuePtr queue(rd_kafka_queue_new(rk.get()));
    auto options = Options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_NewTopic_t* topics[] = {topic.get()};
    rd_kafka_CreateTopics(rk.get(), topics, 1, options.get(), queue.get());
    EventPtr event = Await(queue.get(), "creating topic " + name);
    size_t count = 0;
    const rd_kafka_topic_result_t** results =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(event.get()), &count);
    if (count != 1) throw Error(ErrorCode::kInternal, "creating topic " + name + ": unexpected answer");
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[0]);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
    if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) return false;
    const char* message = rd_kafka_topic_result_error_string(results[0]);
    std::string why = message ? message : rd_kafka_err2str(err);
    if (err == RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT || err == RD_KAFKA_RESP_ERR__TIMED_OUT ||
        err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR_NOT_CONTROLLER)
      throw Unreachable("creating topic " + name, why);
    throw Error(ErrorCode::kFailedPrecondition, "kafka refused to create topic " + name + ": " + why);
  }

  std::string CleanupPolicy(const std::string& name) {
    ResourcePtr resource(rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, name.c_str()));
    QueuePtr queue(rd_kafka_queue_new(rk.get()));
    auto options = Options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_ConfigResource_t* resources[] = {resource.get()};
    rd_kafka_DescribeConfigs(rk.get(), resources, 1, options.get(), queue.get());
    EventPtr event = Await(queue.get(), "describing topic " + name);
    size_t count = 0;
    const rd_kafka_ConfigResource_t** described =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(event.get()), &count);
    if (count != 1 || rd_kafka_ConfigResource_error(described[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
    size_t entries = 0;
    const rd_kafka_ConfigEntry_t** configs = rd_kafka_ConfigResource_configs(described[0], &entries);
    for (size_t i = 0; i < entries; ++i) {
      const char* entry_name = rd_kafka_ConfigEntry_name(configs[i]);
      const char* value = rd_kafka_ConfigEntry_value(configs[i]);
      if (entry_name && value && std::string(entry_name) == "cleanup.policy") return value;
    }
    return "";
  }

  // A freshly created topic may take a moment to show up in metadata.
  int32_t Partitions(const std::string& name) {
    TopicPtr topic(rd_kafka_topic_new(rk.get(), name.c_str(), nullptr));
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string last_error = "no metadata";
    do {
      const rd_kafka_metadata_t* metadata = nullptr;
      rd_kafka_resp_err_t err = rd_kafka_metadata(rk.get(), 0, topic.get(), &metadata, TimeoutMs());
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        int32_t partitions = 0;
        rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        if (metadata->topic_cnt == 1) {
          partitions = metadata->topics[0].partition_cnt;
          topic_err = metadata->topics[0].err;
        }
        rd_kafka_metadata_destroy(metadata);
        if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR && partitions > 0) return partitions;
        last_error = rd_kafka_err2str(topic_err);
      } else {
        last_error = rd_kafka_err2str(err);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    } while (std::chrono::steady_clock::now() < deadline);
    throw Unreachable("reading metadata of topic " + name, last_error);
  }
};

TopicAdmin::TopicAdmin(std::string brokers, std::map<std::string, std::string> properties,
                       std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->brokers = std::move(brokers);
  impl_->timeout = timeout;
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  properties["bootstrap.servers"] = impl_->brokers;
  properties.try_emplace("client.id", "nebula-admin");
  for (const auto& [name, value] : properties) {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw Error(ErrorCode::kInvalidArgument, "kafka property " + name + ": " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf, LogCallback);
  impl_->rk.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr));
  if (!impl_->rk) {
    rd_kafka_conf_destroy(conf);  // rd_kafka_new takes ownership only on success
    throw Error(ErrorCode::kInvalidArgument, std::string("cannot create kafka admin client: ") + errstr);
  }
}

TopicAdmin::~TopicAdmin() = default;

TopicInfo TopicAdmin::EnsureTopic(const std::string& name, int32_t partitions, bool compacted) {
  TopicInfo info;
  info.created = impl_->Create(name, partitions, compacted);
  info.partitions = impl_->Partitions(name);
  info.cleanup_policy = impl_->CleanupPolicy(name);
  return info;
}

}  // namespace nebula::kafka
