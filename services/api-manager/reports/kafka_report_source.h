// ReportSource on Kafka: every api-manager replica joins the consumer group "nebula-api-manager"
// on nebula.reports (nebula_kafka's GroupReader), so the replicas share the partitions (and take them
// over from a dead one) without any lock of ours. Offsets are stored only once the records were folded
// (at-least-once; folding is idempotent). A new group starts at the beginning: the compacted topic then
// replays the newest report of every worker.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/kafka/group_reader.h"
#include "api-manager/reports/report_consumer.h"

namespace nebula::api_manager {

inline constexpr const char* kReportsConsumerGroup = "nebula-api-manager";

struct KafkaReportSourceOptions {
  std::string brokers;
  std::string topic;
  std::string group = kReportsConsumerGroup;
  std::map<std::string, std::string> properties;  // extra librdkafka settings (TLS, SASL), applied last
};

// Throws nebula::Error(kInvalidArgument) for settings librdkafka rejects.
std::unique_ptr<ReportSource> MakeKafkaReportSource(const KafkaReportSourceOptions& options);

// The same over any GroupReader (tests pass a fake one).
std::unique_ptr<ReportSource> MakeGroupReportSource(std::unique_ptr<kafka::GroupReader> reader);

}  // namespace nebula::api_manager
