#include "api-manager/metrics/metrics_registry.h"

#include <catch2/catch.hpp>

#include "api-manager/metrics/metered_adapters.h"

namespace am = nebula::api_manager;

TEST_CASE("the metrics render in the Prometheus text format") {
  am::MetricsRegistry registry;
  registry.RecordRpc("/nebula.v1.ApiManager/GetApp", 0, 0.003);
  registry.RecordRpc("/nebula.v1.ApiManager/GetApp", 5, 0.5);
  registry.RecordRpc("/nebula.v1.ApiManager/GetApp", 0, 30);
  registry.SetRelayActive(true);
  registry.AddReportsConsumed(7);
  am::MetricsSnapshot snapshot = registry.Snapshot();
  snapshot.outbox_backlog = 42;
  const std::string m = "method=\"/nebula.v1.ApiManager/GetApp\"";
  const std::string b = "nebula_api_manager_grpc_request_duration_seconds_bucket{" + m;
  CHECK(am::RenderPrometheus(snapshot) ==
        "# HELP nebula_api_manager_grpc_requests_total gRPC calls handled, by method and status code.\n"
        "# TYPE nebula_api_manager_grpc_requests_total counter\n"
        "nebula_api_manager_grpc_requests_total{" +
            m +
            ",code=\"NOT_FOUND\"} 1\n"
            "nebula_api_manager_grpc_requests_total{" +
            m +
            ",code=\"OK\"} 2\n"
            "# HELP nebula_api_manager_grpc_request_duration_seconds Time from the call's start to its status.\n"
            "# TYPE nebula_api_manager_grpc_request_duration_seconds histogram\n" +
            b + ",le=\"0.001\"} 0\n" + b + ",le=\"0.0025\"} 0\n" + b + ",le=\"0.005\"} 1\n" + b + ",le=\"0.01\"} 1\n" +
            b + ",le=\"0.025\"} 1\n" + b + ",le=\"0.05\"} 1\n" + b + ",le=\"0.1\"} 1\n" + b + ",le=\"0.25\"} 1\n" + b +
            ",le=\"0.5\"} 2\n" + b + ",le=\"1\"} 2\n" + b + ",le=\"2.5\"} 2\n" + b + ",le=\"10\"} 2\n" + b +
            ",le=\"+Inf\"} 3\n"
            "nebula_api_manager_grpc_request_duration_seconds_sum{" +
            m +
            "} 30.503\n"
            "nebula_api_manager_grpc_request_duration_seconds_count{" +
            m +
            "} 3\n"
            "# HELP nebula_api_manager_outbox_backlog Outbox rows not yet relayed to nebula.desired.\n"
            "# TYPE nebula_api_manager_outbox_backlog gauge\n"
            "nebula_api_manager_outbox_backlog 42\n"
            "# HELP nebula_api_manager_relay_active 1 if this replica is the active outbox relay.\n"
            "# TYPE nebula_api_manager_relay_active gauge\n"
            "nebula_api_manager_relay_active 1\n"
            "# HELP nebula_api_manager_reports_consumed_total Worker reports from nebula.reports stored.\n"
            "# TYPE nebula_api_manager_reports_consumed_total counter\n"
            "nebula_api_manager_reports_consumed_total 7\n");
}

TEST_CASE("without calls and without a backlog reading only the gauges and the report counter render") {
  am::MetricsRegistry registry;
  std::string text = am::RenderPrometheus(registry.Snapshot());
  CHECK(text.find("nebula_api_manager_grpc_requests_total{") == std::string::npos);
  CHECK(text.find("nebula_api_manager_outbox_backlog") == std::string::npos);
  CHECK(text.find("nebula_api_manager_relay_active 0\n") != std::string::npos);
  CHECK(text.find("nebula_api_manager_reports_consumed_total 0\n") != std::string::npos);
}

TEST_CASE("label values are escaped and unknown codes are UNKNOWN") {
  am::MetricsRegistry registry;
  registry.RecordRpc("a\"b\\c\nd", 99, 0.0);
  std::string text = am::RenderPrometheus(registry.Snapshot());
  CHECK(text.find("{method=\"a\\\"b\\\\c\\nd\",code=\"UNKNOWN\"} 1\n") != std::string::npos);
  CHECK(am::GrpcCodeName(16) == "UNAUTHENTICATED");
  CHECK(am::GrpcCodeName(-1) == "UNKNOWN");
}

namespace {

struct FakeOutbox : am::Outbox {
  bool lead = true;
  bool TryLead() override { return lead; }
  void Resign() override {}
  std::vector<am::OutboxRow> Read(size_t) override { return {}; }
  void Remove(const std::vector<int64_t>&) override {}
  bool WaitForChange(std::chrono::milliseconds) override { return false; }
};

struct FakeReports : am::ReportSource {
  std::vector<am::ReportRecord> batch;
  std::vector<am::ReportRecord> Poll(std::chrono::milliseconds) override { return batch; }
  void Acknowledge() override {}
};

}  // namespace

TEST_CASE("the relay gauge follows leadership and reports count once acknowledged") {
  am::MetricsRegistry registry;
  FakeOutbox inner;
  am::MeteredOutbox outbox(inner, registry);
  REQUIRE(outbox.TryLead());
  CHECK(registry.Snapshot().relay_active);
  outbox.Resign();
  CHECK_FALSE(registry.Snapshot().relay_active);
  inner.lead = false;
  CHECK_FALSE(outbox.TryLead());
  CHECK_FALSE(registry.Snapshot().relay_active);

  FakeReports reports_inner;
  reports_inner.batch = {{"w1", std::nullopt}, {"w2", std::string("x")}};
  am::MeteredReportSource reports(reports_inner, registry);
  reports.Poll(std::chrono::milliseconds(0));
  CHECK(registry.Snapshot().reports_consumed == 0);  // not stored yet
  reports.Acknowledge();
  CHECK(registry.Snapshot().reports_consumed == 2);
  reports.Acknowledge();
  CHECK(registry.Snapshot().reports_consumed == 2);
}
