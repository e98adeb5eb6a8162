#include "api-manager/reports/report_consumer.h"

#include <catch2/catch.hpp>

#include <deque>

#include "common/error.h"
#include "store/memory_worker_store.h"

namespace am = nebula::api_manager;
using nebula::v1::WorkerReport;

namespace {

std::string Report(const std::string& id, int64_t seconds, int64_t converged = 1) {
  WorkerReport report;
  report.set_worker_id(id);
  report.set_hostname(id + "-host");
  report.add_apps("web");
  auto* app = report.add_app_reports();
  app->set_app("web");
  app->set_observed_generation(converged);
  app->set_converged_generation(converged);
  report.mutable_report_time()->set_seconds(seconds);
  return report.SerializeAsString();
}

// Fails the first `failures` writes, then behaves.
class FlakyStore final : public am::WorkerStore {
 public:
  int failures = 0;
  am::testing::MemoryWorkerStore inner;
  bool Fold(const am::FoldedReport& r) override {
    if (failures > 0) {
      --failures;
      throw nebula::Error(nebula::ErrorCode::kUnavailable, "database down");
    }
    return inner.Fold(r);
  }
  void Forget(const std::string& id) override { inner.Forget(id); }
  std::optional<am::StoredWorker> Get(const std::string& id) override { return inner.Get(id); }
  am::WorkerPage List(const std::string& a, int l) override { return inner.List(a, l); }
  std::vector<am::HostStatusRow> HostsOf(const std::string& app) override { return inner.HostsOf(app); }
};

class ScriptedSource final : public am::ReportSource {
 public:
  std::deque<std::vector<am::ReportRecord>> batches;
  int acknowledged = 0;
  std::function<void()> on_empty;
  std::vector<am::ReportRecord> Poll(std::chrono::milliseconds) override {
    if (batches.empty()) {
      if (on_empty) on_empty();
      return {};
    }
    auto batch = batches.front();
    batches.pop_front();
    return batch;
  }
  void Acknowledge() override { ++acknowledged; }
};

constexpr am::Micros kNow = 2'000'000'000'000'000;

}  // namespace

TEST_CASE("reports are folded, newer ones win and tombstones forget the worker", "[unit]") {
  FlakyStore store;
  ScriptedSource source;
  am::ReportConsumer consumer(source, store, [] { return kNow; });

  REQUIRE(consumer.Apply({{"w1", Report("w1", 100, 1)}, {"w2", Report("w2", 100, 1)}}));
  REQUIRE(store.Get("w1"));
  CHECK(store.Get("w1")->last_seen == 100'000'000);

  REQUIRE(consumer.Apply({{"w1", Report("w1", 200, 2)}, {"w1", Report("w1", 150, 9)}}));  // an older one after
  auto hosts = store.HostsOf("web");
  REQUIRE(hosts.size() == 2);
  CHECK(hosts[0].app.converged_generation == 2);

  REQUIRE(consumer.Apply({{"w2", std::nullopt}}));
  CHECK_FALSE(store.Get("w2"));
}

TEST_CASE("unreadable records and reports without a worker id are skipped", "[unit]") {
  FlakyStore store;
  ScriptedSource source;
  am::ReportConsumer consumer(source, store, [] { return kNow; });
  WorkerReport anonymous;
  anonymous.add_apps("web");
  CHECK(consumer.Apply(
      {{"x", std::string("\xff\xff\xff", 3)}, {"y", anonymous.SerializeAsString()}, {"w1", Report("w1", 1)}}));
  CHECK(store.List("", 10).workers.size() == 1);
}

TEST_CASE("a store failure retries the batch and acknowledges only after it was stored", "[unit]") {
  FlakyStore store;
  store.failures = 2;
  ScriptedSource source;
  source.batches.push_back({{"w1", Report("w1", 1)}});
  am::ReportConsumer consumer(source, store, [] { return kNow; });

  CHECK_FALSE(consumer.Apply({{"w1", Report("w1", 1)}}));
  store.failures = 2;
  std::stop_source stop;
  source.on_empty = [&] { stop.request_stop(); };
  consumer.Run(stop.get_token());
  CHECK(store.failures == 0);
  CHECK(store.Get("w1"));
  CHECK(source.acknowledged == 1);
}
