// Decorators that feed MetricsRegistry from the relay and the reports consumer without touching
// them: the relay's leadership follows TryLead/Resign, and reports count once acknowledged (stored).
#pragma once

#include <atomic>

#include "api-manager/metrics/metrics_registry.h"
#include "api-manager/store/outbox.h"
#include "api-manager/reports/report_consumer.h"

namespace nebula::api_manager {

class MeteredOutbox : public Outbox {
 public:
  MeteredOutbox(Outbox& inner, MetricsRegistry& metrics) : inner_(inner), metrics_(metrics) {}

  bool TryLead() override {
    bool leading = false;
    try {
      leading = inner_.TryLead();
    } catch (...) {
      metrics_.SetRelayActive(false);
      throw;
    }
    metrics_.SetRelayActive(leading);
    return leading;
  }
  void Resign() override {
    metrics_.SetRelayActive(false);
    inner_.Resign();
  }
  std::vector<OutboxRow> Read(size_t limit) override { return inner_.Read(limit); }
  void Remove(const std::vector<int64_t>& ids) override { inner_.Remove(ids); }
  bool WaitForChange(std::chrono::milliseconds timeout) override { return inner_.WaitForChange(timeout); }

 private:
  Outbox& inner_;
  MetricsRegistry& metrics_;
};

class MeteredReportSource : public ReportSource {
 public:
  MeteredReportSource(ReportSource& inner, MetricsRegistry& metrics) : inner_(inner), metrics_(metrics) {}

  std::vector<ReportRecord> Poll(std::chrono::milliseconds timeout) override {
    auto records = inner_.Poll(timeout);
    pending_ += records.size();
    return records;
  }
  void Acknowledge() override {
    inner_.Acknowledge();
    metrics_.AddReportsConsumed(pending_);
    pending_ = 0;
  }

 private:
  ReportSource& inner_;
  MetricsRegistry& metrics_;
  uint64_t pending_ = 0;  // polled, not yet acknowledged (Poll and Acknowledge run on one thread)
};

}  // namespace nebula::api_manager
