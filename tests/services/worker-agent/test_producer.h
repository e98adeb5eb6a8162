// A producer for nebula.desired records in tests (murmur2_random, like the api-manager), waiting for
// each delivery report.
#pragma once

#include <catch2/catch.hpp>
#include <librdkafka/rdkafkacpp.h>

#include <memory>
#include <optional>
#include <string>

#include "common/desired_keys.h"

namespace nebula::agent::testing {

// Produces one record at a time and waits for its delivery report (flush() alone says nothing).
class TestProducer : public RdKafka::DeliveryReportCb {
 public:
  explicit TestProducer(const std::string& brokers) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    REQUIRE(conf->set("bootstrap.servers", brokers, err) == RdKafka::Conf::CONF_OK);
    REQUIRE(conf->set("partitioner", "murmur2_random", err) == RdKafka::Conf::CONF_OK);
    REQUIRE(conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(this), err) == RdKafka::Conf::CONF_OK);
    producer_.reset(RdKafka::Producer::create(conf.get(), err));
    REQUIRE(producer_);
  }

  void Send(const std::string& key, const std::optional<std::string>& value) {
    delivered_ = RdKafka::ERR__STATE;
    const auto err =
        producer_->produce(std::string(nebula::kDesiredTopic), RdKafka::Topic::PARTITION_UA,
                           RdKafka::Producer::RK_MSG_COPY, value ? const_cast<char*>(value->data()) : nullptr,
                           value ? value->size() : 0, key.data(), key.size(), 0, nullptr);
    REQUIRE(err == RdKafka::ERR_NO_ERROR);
    producer_->flush(15000);
    INFO("delivery of " << key << ": " << RdKafka::err2str(delivered_));
    REQUIRE(delivered_ == RdKafka::ERR_NO_ERROR);
  }

  void dr_cb(RdKafka::Message& message) override { delivered_ = message.err(); }

 private:
  std::unique_ptr<RdKafka::Producer> producer_;
  RdKafka::ErrorCode delivered_ = RdKafka::ERR__STATE;
};

}  // namespace nebula::agent::testing
