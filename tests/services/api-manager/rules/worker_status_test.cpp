#include "api-manager/rules/worker_status.h"

#include <catch2/catch.hpp>
#include <google/protobuf/util/time_util.h>

#include "common/error.h"

namespace am = nebula::api_manager;
using google::protobuf::util::TimeUtil;
using nebula::v1::AppStatus;
using nebula::v1::Worker;
using nebula::v1::WorkerReport;
using namespace std::chrono_literals;

namespace {

constexpr am::Micros kNow = 1'700'000'000'000'000;
constexpr am::Micros kSecond = 1'000'000;

am::HostStatusRow Host(const std::string& id, int64_t observed, int64_t converged, std::vector<std::string> errors = {},
                       am::Micros last_seen = kNow - kSecond) {
  am::HostStatusRow host;
  host.app = {.worker_id = id,
              .app = "web",
              .observed_generation = observed,
              .converged_generation = converged,
              .errors = std::move(errors)};
  host.hostname = id + ".example";
  host.last_seen = last_seen;
  return host;
}

AppStatus Status(const std::vector<am::HostStatusRow>& hosts, int64_t generation = 5) {
  return am::ComputeAppStatus("web", generation, hosts, kNow, 90s);
}

}  // namespace

TEST_CASE("a report without a worker id is a problem", "[unit]") {
  WorkerReport report;
  CHECK(am::ReportProblems(report).size() == 1);
  report.set_worker_id("w1");
  CHECK(am::ReportProblems(report).empty());
}

TEST_CASE("folding a report gives one row per listed or reported app", "[unit]") {
  WorkerReport report;
  report.set_worker_id("w1");
  report.set_hostname("host-1");
  report.add_apps("web");
  report.add_apps("db");
  auto* web = report.add_app_reports();
  web->set_app("web");
  web->set_observed_generation(4);
  web->set_converged_generation(3);
  web->add_errors("port 80 in use");
  auto* old = report.add_app_reports();  // no longer listed, still running
  old->set_app("old");
  old->set_observed_generation(2);
  old->set_converged_generation(2);

  am::FoldedReport folded = am::FoldReport(report, kNow);
  CHECK(folded.worker_id == "w1");
  CHECK(folded.hostname == "host-1");
  CHECK(folded.last_seen == kNow);  // no report_time: the receive time
  WorkerReport round_trip;
  REQUIRE(round_trip.ParseFromString(folded.report));
  CHECK(round_trip.worker_id() == "w1");
  REQUIRE(folded.apps.size() == 3);
  CHECK(folded.apps[0].app == "db");
  CHECK(folded.apps[0].observed_generation == 0);
  CHECK(folded.apps[0].errors.empty());
  CHECK(folded.apps[1].app == "old");
  CHECK(folded.apps[1].converged_generation == 2);
  CHECK(folded.apps[2].app == "web");
  CHECK(folded.apps[2].worker_id == "w1");
  CHECK(folded.apps[2].observed_generation == 4);
  CHECK(folded.apps[2].converged_generation == 3);
  CHECK(folded.apps[2].errors == std::vector<std::string>{"port 80 in use"});
}

TEST_CASE("duplicate app reports fold into the most advanced one with all errors", "[unit]") {
  WorkerReport report;
  report.set_worker_id("w1");
  auto* a = report.add_app_reports();
  a->set_app("web");
  a->set_observed_generation(4);
  a->add_errors("e1");
  auto* b = report.add_app_reports();
  b->set_app("web");
  b->set_converged_generation(3);
  b->add_errors("e2");
  auto* unnamed = report.add_app_reports();  // no app name: nothing to count it under
  unnamed->set_observed_generation(9);
  auto folded = am::FoldReport(report, kNow);
  REQUIRE(folded.apps.size() == 1);
  CHECK(folded.apps[0].observed_generation == 4);
  CHECK(folded.apps[0].converged_generation == 3);
  CHECK(folded.apps[0].errors == std::vector<std::string>{"e1", "e2"});
}

TEST_CASE("last_seen is the report time, never later than its arrival", "[unit]") {
  WorkerReport report;
  report.set_worker_id("w1");
  *report.mutable_report_time() = TimeUtil::MicrosecondsToTimestamp(kNow - 10 * kSecond);
  CHECK(am::FoldReport(report, kNow).last_seen == kNow - 10 * kSecond);
  *report.mutable_report_time() = TimeUtil::MicrosecondsToTimestamp(kNow + 3600 * kSecond);  // clock ahead
  CHECK(am::FoldReport(report, kNow).last_seen == kNow);
}

TEST_CASE("a worker is LOST once silent for longer than the limit", "[unit]") {
  CHECK(am::WorkerState(kNow, kNow, 90s) == Worker::ONLINE);
  CHECK(am::WorkerState(kNow - 90 * kSecond, kNow, 90s) == Worker::ONLINE);
  CHECK(am::WorkerState(kNow - 90 * kSecond - 1, kNow, 90s) == Worker::LOST);
  CHECK(am::WorkerState(kNow + kSecond, kNow, 90s) == Worker::ONLINE);
}

TEST_CASE("a stored report becomes a Worker with its state", "[unit]") {
  WorkerReport report;
  report.set_worker_id("w1");
  report.set_hostname("h1");
  report.add_apps("web");
  report.set_device_group("edge");
  report.add_app_reports()->set_app("web");
  report.mutable_host()->set_cpu_cores(4);
  report.set_agent_version("1.2");
  report.set_synced(true);
  Worker worker = am::WorkerFromStored(report.SerializeAsString(), kNow - 100 * kSecond, kNow, 90s);
  CHECK(worker.id() == "w1");
  CHECK(worker.hostname() == "h1");
  CHECK(worker.apps_size() == 1);
  CHECK(worker.device_group() == "edge");
  CHECK(worker.app_reports_size() == 1);
  CHECK(worker.host().cpu_cores() == 4);
  CHECK(worker.agent_version() == "1.2");
  CHECK(worker.synced());
  CHECK(TimeUtil::TimestampToMicroseconds(worker.last_seen()) == kNow - 100 * kSecond);
  CHECK(worker.state() == Worker::LOST);
  CHECK(am::WorkerFromStored(report.SerializeAsString(), kNow, kNow, 90s).state() == Worker::ONLINE);
  CHECK_THROWS_AS(am::WorkerFromStored("\xff\xff", kNow, kNow, 90s), nebula::Error);
}

TEST_CASE("app status: no hosts means nothing to wait for", "[unit]") {
  AppStatus status = Status({});
  CHECK(status.app() == "web");
  CHECK(status.generation() == 5);
  CHECK(status.hosts_desired() == 0);
  CHECK(status.rollout() == AppStatus::CONVERGED);
  CHECK(am::RolloutFinished(status));
}

TEST_CASE("app status counts observed and converged at the current generation", "[unit]") {
  AppStatus status = Status({Host("a", 4, 4), Host("b", 5, 4), Host("c", 5, 5)});
  CHECK(status.hosts_desired() == 3);
  CHECK(status.hosts_observed() == 2);
  CHECK(status.hosts_converged() == 1);
  CHECK(status.hosts_failed() == 0);
  CHECK(status.hosts_ahead() == 0);
  CHECK(status.failing_hosts().empty());
  CHECK(status.rollout() == AppStatus::PROGRESSING);
  CHECK_FALSE(am::RolloutFinished(status));
}

TEST_CASE("app status is CONVERGED when every desired host converged", "[unit]") {
  AppStatus status = Status({Host("a", 5, 5), Host("b", 5, 5)});
  CHECK(status.hosts_desired() == 2);
  CHECK(status.hosts_converged() == 2);
  CHECK(status.rollout() == AppStatus::CONVERGED);
}

TEST_CASE("a host reporting a generation the API never issued is ahead: named, not converged", "[unit]") {
  // Generation 5 is the API's; 101 came from a restored database's past or a forged record.
  AppStatus status = Status({Host("z", 101, 101), Host("a", 5, 5), Host("m", 5, 101), Host("b", 6, 4, {"boom"})});
  CHECK(status.hosts_desired() == 4);
  CHECK(status.hosts_ahead() == 3);
  CHECK(status.hosts_observed() == 1);
  CHECK(status.hosts_converged() == 1);
  CHECK(status.hosts_failed() == 0);  // errors at a generation the API never issued are not this rollout's
  REQUIRE(status.ahead_hosts_size() == 3);
  CHECK(status.ahead_hosts(0).worker_id() == "b");
  CHECK(status.ahead_hosts(0).generation() == 6);
  CHECK(status.ahead_hosts(1).worker_id() == "m");
  CHECK(status.ahead_hosts(1).generation() == 101);
  CHECK(status.ahead_hosts(2).worker_id() == "z");
  CHECK(status.ahead_hosts(2).hostname() == "z.example");
  CHECK(status.rollout() == AppStatus::PROGRESSING);  // never CONVERGED while a host runs something else
  CHECK_FALSE(am::RolloutFinished(status));
}

TEST_CASE("unknown apps are the reported apps the API has no live app of, sorted, once each", "[unit]") {
  Worker worker;
  for (const char* app : {"web", "ghost", "db", "ghost", "", "attic"}) worker.add_app_reports()->set_app(app);
  auto known = [](const std::string& app) { return app == "web" || app == "db"; };
  CHECK(am::UnknownApps(worker, known) == std::vector<std::string>{"attic", "ghost"});
  CHECK(am::UnknownApps(Worker(), known).empty());
}

TEST_CASE("LOST hosts are not desired, whatever they reported", "[unit]") {
  const am::Micros long_ago = kNow - 91 * kSecond;
  AppStatus status =
      Status({Host("a", 5, 5), Host("lost", 5, 0, {"pull failed"}, long_ago), Host("old", 1, 1, {}, long_ago)});
  CHECK(status.hosts_desired() == 1);
  CHECK(status.hosts_observed() == 1);
  CHECK(status.hosts_converged() == 1);
  CHECK(status.hosts_failed() == 0);
  CHECK(status.rollout() == AppStatus::CONVERGED);
}

TEST_CASE("failed hosts have errors at the current generation, listed by worker id", "[unit]") {
  AppStatus status = Status({Host("z", 5, 4, {"port 80 in use", "second"}), Host("a", 5, 4, {"image not found"}),
                             Host("stale", 4, 4, {"old error"}), Host("done", 5, 5, {"left over"}), Host("ok", 5, 5)});
  CHECK(status.hosts_desired() == 5);
  CHECK(status.hosts_observed() == 4);
  CHECK(status.hosts_converged() == 2);
  CHECK(status.hosts_failed() == 2);
  REQUIRE(status.failing_hosts_size() == 2);
  CHECK(status.failing_hosts(0).worker_id() == "a");
  CHECK(status.failing_hosts(0).hostname() == "a.example");
  CHECK(status.failing_hosts(0).errors(0) == "image not found");
  CHECK(status.failing_hosts(1).worker_id() == "z");
  CHECK(status.failing_hosts(1).errors_size() == 2);
  CHECK(status.rollout() == AppStatus::FAILED);
  CHECK(am::RolloutFinished(status));
}

TEST_CASE("rows of other apps are not counted", "[unit]") {
  auto other = Host("x", 5, 5);
  other.app.app = "db";
  CHECK(Status({other, Host("a", 5, 0)}).hosts_desired() == 1);
}
