#include "api-manager/reports/kafka_report_source.h"

namespace nebula::api_manager {
namespace {

class GroupReportSource final : public ReportSource {
 public:
  explicit GroupReportSource(std::unique_ptr<kafka::GroupReader> reader) : reader_(std::move(reader)) {}

  std::vector<ReportRecord> Poll(std::chrono::milliseconds timeout) override {
    std::vector<ReportRecord> records;
    for (auto& record : reader_->Poll(timeout))
      records.push_back({.key = std::move(record.key), .value = std::move(record.value)});
    return records;
  }

  void Acknowledge() override { reader_->StoreReadOffsets(); }

 private:
  std::unique_ptr<kafka::GroupReader> reader_;
};

}  // namespace

std::unique_ptr<ReportSource> MakeGroupReportSource(std::unique_ptr<kafka::GroupReader> reader) {
  return std::make_unique<GroupReportSource>(std::move(reader));
}

std::unique_ptr<ReportSource> MakeKafkaReportSource(const KafkaReportSourceOptions& options) {
  return MakeGroupReportSource(kafka::MakeKafkaGroupReader({.brokers = options.brokers,
                                                            .topic = options.topic,
                                                            .group = options.group,
                                                            .client_id = "nebula-api-manager",
                                                            .log_name = "reports consumer",
                                                            .max_batch = 500,
                                                            .properties = options.properties}));
}

}  // namespace nebula::api_manager
