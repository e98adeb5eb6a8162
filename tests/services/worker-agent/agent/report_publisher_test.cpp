// ReportPublisher against an in-memory producer: publishes on change and on the heartbeat, never
// twice for the same content in between, and retries with the newest report after a failure.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "worker-agent/agent/report_publisher.h"
#include "common/desired_keys.h"

using namespace nebula::agent;
using namespace std::chrono_literals;

namespace {

class FakeProducer : public nebula::kafka::RecordProducer {
 public:
  std::atomic<bool> down{false};

  nebula::kafka::BatchDelivery Produce(std::string_view topic,
                                       const std::vector<nebula::kafka::ProducerRecord>& records,
                                       std::stop_token) override {
    std::lock_guard lock(mutex_);
    nebula::kafka::BatchDelivery delivery;
    for (const auto& r : records) {
      if (down) {
        delivery.results.push_back({false, "Local: Message timed out"});
        continue;
      }
      delivery.results.push_back({true, ""});
      nebula::v1::WorkerReport report;
      REQUIRE(report.ParseFromString(*r.value));
      sent.push_back({std::string(topic), r.key, report});
    }
    delivery.delivered_prefix = nebula::kafka::DeliveredPrefix(delivery.results);
    return delivery;
  }

  struct Sent {
    std::string topic, key;
    nebula::v1::WorkerReport report;
  };
  std::vector<Sent> Snapshot() {
    std::lock_guard lock(mutex_);
    return sent;
  }

 private:
  std::mutex mutex_;
  std::vector<Sent> sent;
};

struct Fixture {
  FakeProducer producer;
  std::mutex mutex;
  nebula::v1::WorkerReport current;

  Fixture() {
    current.set_worker_id("worker-1");
    current.add_app_reports()->set_app("web");
  }
  void SetConverged(int64_t generation) {
    std::lock_guard lock(mutex);
    current.mutable_app_reports(0)->set_converged_generation(generation);
  }
  ReportPublisher::ReportSource Source() {
    return [this] {
      std::lock_guard lock(mutex);
      auto r = current;
      r.mutable_report_time()->set_seconds(time(nullptr));
      r.mutable_report_time()->set_nanos(int(std::chrono::steady_clock::now().time_since_epoch().count() % 1000000000));
      r.mutable_host()->set_disk_free_mb(std::chrono::steady_clock::now().time_since_epoch().count() % 1000);
      return r;
    };
  }
};

bool Within(std::chrono::milliseconds timeout, const std::function<bool()>& pred) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

}  // namespace

TEST_CASE("report content ignores the report time and the free disk space", "[unit][reports]") {
  nebula::v1::WorkerReport a;
  a.set_worker_id("w");
  a.add_app_reports()->set_converged_generation(3);
  auto b = a;
  b.mutable_report_time()->set_seconds(12345);
  b.mutable_host()->set_disk_free_mb(99);
  a.mutable_host();
  CHECK(ReportContent(a) == ReportContent(b));
  b.mutable_app_reports(0)->set_converged_generation(4);
  CHECK(ReportContent(a) != ReportContent(b));
}

TEST_CASE("reports are published on change and on the heartbeat only", "[unit][reports]") {
  Fixture f;
  ReportPublisher publisher(f.producer, "worker-1", f.Source(), ReportPublisherOptions{600ms, 10ms, 20ms});
  publisher.Start();
  REQUIRE(Within(2s, [&] { return f.producer.Snapshot().size() == 1; }));
  std::this_thread::sleep_for(200ms);  // unchanged: nothing more before the heartbeat
  CHECK(f.producer.Snapshot().size() == 1);

  f.SetConverged(7);
  REQUIRE(Within(2s, [&] { return f.producer.Snapshot().size() == 2; }));
  const auto sent = f.producer.Snapshot();
  CHECK(sent[1].topic == nebula::kReportsTopic);
  CHECK(sent[1].key == "worker-1");
  CHECK(sent[1].report.app_reports(0).converged_generation() == 7);

  REQUIRE(Within(2s, [&] { return f.producer.Snapshot().size() == 3; }));  // heartbeat, same content
  CHECK(f.producer.Snapshot()[2].report.app_reports(0).converged_generation() == 7);
  publisher.Stop();
  CHECK(publisher.published() >= 3);
}

TEST_CASE("Kafka down: the newest report is delivered once it is back", "[unit][reports]") {
  Fixture f;
  f.producer.down = true;
  ReportPublisher publisher(f.producer, "worker-1", f.Source(), ReportPublisherOptions{60s, 10ms, 20ms});
  publisher.Start();
  f.SetConverged(1);
  std::this_thread::sleep_for(50ms);
  f.SetConverged(2);
  std::this_thread::sleep_for(50ms);
  CHECK(f.producer.Snapshot().empty());
  f.producer.down = false;
  REQUIRE(Within(2s, [&] { return !f.producer.Snapshot().empty(); }));
  std::this_thread::sleep_for(100ms);
  const auto sent = f.producer.Snapshot();
  CHECK(sent.size() == 1);  // the stale ones were never queued
  CHECK(sent.back().report.app_reports(0).converged_generation() == 2);
  publisher.Stop();
}

TEST_CASE("poll 0: the report is compared only on Notify() and at the heartbeat", "[unit][reports]") {
  Fixture f;
  std::atomic<int> built{0};
  auto source = f.Source();
  ReportPublisherOptions options{800ms, 0ms, 20ms};
  options.min_gap = 10ms;
  options.settle = 50ms;
  ReportPublisher publisher(
      f.producer, "worker-1",
      [&] {
        ++built;
        return source();
      },
      options);
  publisher.Start();
  REQUIRE(Within(2s, [&] { return f.producer.Snapshot().size() == 1; }));
  std::this_thread::sleep_for(300ms);
  CHECK(built <= 2);  // idle: no polling
  CHECK(f.producer.Snapshot().size() == 1);

  f.SetConverged(9);  // not noticed until someone says so
  std::this_thread::sleep_for(100ms);
  CHECK(f.producer.Snapshot().size() == 1);
  const auto notified_at = std::chrono::steady_clock::now();
  publisher.Notify();
  std::this_thread::sleep_for(10ms);
  f.SetConverged(10);  // within the settle time: the same report
  publisher.Notify();
  REQUIRE(Within(2s, [&] { return f.producer.Snapshot().size() == 2; }));
  CHECK(std::chrono::steady_clock::now() - notified_at < 300ms);
  CHECK(f.producer.Snapshot()[1].report.app_reports(0).converged_generation() == 10);
  std::this_thread::sleep_for(100ms);
  CHECK(f.producer.Snapshot().size() == 2);  // one report for the burst

  REQUIRE(Within(2s, [&] { return f.producer.Snapshot().size() == 3; }));  // the heartbeat still comes
  publisher.Stop();
}
