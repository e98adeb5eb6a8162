// Workers and rollout status on the real stack: WorkerReports produced to nebula.reports with a
// plain producer (as agents do), folded by the api-manager's reports consumer, read back through
// ListWorkers, GetWorker, GetAppStatus and WatchAppStatus.
#include <catch2/catch.hpp>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <future>
#include <random>
#include <thread>

#include "common/desired_keys.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/worker_report.pb.h"
#include "stack_fixture.h"

using google::protobuf::util::TimeUtil;
using nebula::v1::AppStatus;
using nebula::v1::Worker;
using nebula::v1::WorkerReport;
using namespace std::chrono_literals;

namespace {

const nebula::testing::StackInfo& Stack() { return nebula::testing::SharedStack(); }

std::string Unique(const std::string& prefix) {
  static const std::string run = [] {
    std::random_device rd;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06x", rd() & 0xffffff);
    return std::string(buf);
  }();
  return prefix + "-" + run;
}

std::unique_ptr<grpc::ClientContext> Context(std::chrono::seconds timeout = 30s) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

std::unique_ptr<nebula::v1::ApiManager::Stub> Stub() {
  return nebula::v1::ApiManager::NewStub(grpc::CreateChannel(Stack().endpoint, grpc::InsecureChannelCredentials()));
}

class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
    } else {
      ++failed;
    }
  }
  std::atomic<int> delivered{0}, failed{0};
};

// Produces records to nebula.reports, keyed by worker id, and checks every delivery report.
void Produce(const std::vector<std::pair<std::string, std::optional<WorkerReport>>>& records) {
  std::string errstr;
  DeliveryCounter counter;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  REQUIRE(conf->set("bootstrap.servers", Stack().kafka_brokers, errstr) == RdKafka::Conf::CONF_OK);
  REQUIRE(conf->set("dr_cb", &counter, errstr) == RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), errstr));
  REQUIRE(producer);
  for (const auto& [key, report] : records) {
    std::string value = report ? report->SerializeAsString() : std::string();
    auto err = producer->produce(std::string(nebula::kReportsTopic), RdKafka::Topic::PARTITION_UA,
                                 RdKafka::Producer::RK_MSG_COPY, report ? value.data() : nullptr,
                                 report ? value.size() : 0, key.data(), key.size(), 0, nullptr);
    REQUIRE(err == RdKafka::ERR_NO_ERROR);
  }
  producer->flush(15000);
  REQUIRE(counter.failed == 0);
  REQUIRE(counter.delivered == int(records.size()));
}

WorkerReport Report(const std::string& id, const std::string& app, int64_t observed, int64_t converged,
                    std::vector<std::string> errors = {}, std::chrono::seconds age = 0s) {
  WorkerReport report;
  report.set_worker_id(id);
  report.set_hostname(id + ".host");
  report.add_apps(app);
  auto* r = report.add_app_reports();
  r->set_app(app);
  r->set_observed_generation(observed);
  r->set_converged_generation(converged);
  r->set_desired_containers(1);
  r->set_running_containers(converged > 0 ? 1 : 0);
  for (auto& e : errors) r->add_errors(e);
  report.mutable_host()->set_cpu_cores(2);
  report.mutable_host()->set_memory_mb(4096);
  *report.mutable_report_time() = TimeUtil::GetCurrentTime() - TimeUtil::SecondsToDuration(age.count());
  return report;
}

int64_t CreateApp(nebula::v1::ApiManager::Stub& stub, const std::string& name, int updates) {
  nebula::v1::CreateAppRequest create;
  create.mutable_app()->set_name(name);
  create.mutable_app()->mutable_spec()->set_image("nebtest/busybox:1");
  nebula::v1::App app;
  REQUIRE(stub.CreateApp(Context().get(), create, &app).ok());
  for (int i = 0; i < updates; ++i) {
    nebula::v1::UpdateAppRequest update;
    *update.mutable_app() = app;
    update.mutable_app()->mutable_spec()->mutable_env()->insert({"N", std::to_string(i)});
    REQUIRE(stub.UpdateApp(Context().get(), update, &app).ok());
  }
  return app.generation();
}

AppStatus AwaitStatus(nebula::v1::ApiManager::Stub& stub, const std::string& app,
                      const std::function<bool(const AppStatus&)>& done) {
  nebula::v1::GetAppStatusRequest request;
  request.set_name(app);
  AppStatus status;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    status.Clear();
    auto s = stub.GetAppStatus(Context().get(), request, &status);
    REQUIRE(s.ok());
    if (done(status)) return status;
    std::this_thread::sleep_for(200ms);
  }
  FAIL("app status of " << app << " never got there; last: " << status.ShortDebugString());
  return status;
}

std::vector<AppStatus> Watch(nebula::v1::ApiManager::Stub& stub, const std::string& app, grpc::Status* end) {
  nebula::v1::WatchAppStatusRequest request;
  request.set_name(app);
  auto context = Context(90s);
  auto reader = stub.WatchAppStatus(context.get(), request);
  std::vector<AppStatus> received;
  AppStatus status;
  while (reader->Read(&status)) received.push_back(status);
  *end = reader->Finish();
  return received;
}

}  // namespace

TEST_CASE("reports on nebula.reports become workers and app status; a failing host fails the rollout",
          "[integration]") {
  auto stub = Stub();
  const std::string app = Unique("wk-fail");
  const int64_t generation = CreateApp(*stub, app, 1);
  REQUIRE(generation == 2);
  const std::string w1 = Unique("w1"), w2 = Unique("w2"), w3 = Unique("w3");
  Produce({{w1, Report(w1, app, 2, 2)},
           {w2, Report(w2, app, 2, 1)},
           {w3, Report(w3, app, 2, 1, {"host port 8080 is in use"})}});

  AppStatus status = AwaitStatus(*stub, app, [](const AppStatus& s) { return s.hosts_desired() == 3; });
  CHECK(status.app() == app);
  CHECK(status.generation() == 2);
  CHECK(status.hosts_observed() == 3);
  CHECK(status.hosts_converged() == 1);
  CHECK(status.hosts_failed() == 1);
  REQUIRE(status.failing_hosts_size() == 1);
  CHECK(status.failing_hosts(0).worker_id() == w3);
  CHECK(status.failing_hosts(0).hostname() == w3 + ".host");
  REQUIRE(status.failing_hosts(0).errors_size() == 1);
  CHECK(status.failing_hosts(0).errors(0) == "host port 8080 is in use");
  CHECK(status.rollout() == AppStatus::FAILED);

  // A finished rollout: the watch sends the status once and ends.
  grpc::Status end;
  auto watched = Watch(*stub, app, &end);
  CHECK(end.ok());
  REQUIRE(watched.size() == 1);
  CHECK(watched[0].rollout() == AppStatus::FAILED);

  nebula::v1::GetWorkerRequest get;
  get.set_id(w3);
  Worker worker;
  REQUIRE(stub->GetWorker(Context().get(), get, &worker).ok());
  CHECK(worker.id() == w3);
  CHECK(worker.hostname() == w3 + ".host");
  CHECK(worker.apps_size() == 1);
  CHECK(worker.state() == Worker::ONLINE);
  CHECK(worker.host().cpu_cores() == 2);
  REQUIRE(worker.app_reports_size() == 1);
  CHECK(worker.app_reports(0).errors(0) == "host port 8080 is in use");
  CHECK(worker.last_seen().seconds() > 0);

  // ListWorkers pages in id order and holds all three.
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    nebula::v1::ListWorkersRequest list;
    list.set_page_size(2);
    list.set_page_token(token);
    nebula::v1::ListWorkersResponse page;
    REQUIRE(stub->ListWorkers(Context().get(), list, &page).ok());
    CHECK(page.workers_size() <= 2);
    for (const auto& w : page.workers()) ids.push_back(w.id());
    token = page.next_page_token();
    REQUIRE(++pages < 1000);
  } while (!token.empty());
  CHECK(std::is_sorted(ids.begin(), ids.end()));
  for (const auto& id : {w1, w2, w3}) CHECK(std::count(ids.begin(), ids.end(), id) == 1);
}

TEST_CASE("WatchAppStatus streams progress and ends when every host converged", "[integration]") {
  auto stub = Stub();
  const std::string app = Unique("wk-watch");
  REQUIRE(CreateApp(*stub, app, 0) == 1);
  const std::string w4 = Unique("w4"), w5 = Unique("w5"), lost = Unique("w-lost");
  Produce({{w4, Report(w4, app, 1, 0)}, {w5, Report(w5, app, 0, 0)}});
  AwaitStatus(*stub, app, [](const AppStatus& s) { return s.hosts_desired() == 2; });

  grpc::Status end;
  auto watch = std::async(std::launch::async, [&] { return Watch(*stub, app, &end); });
  std::this_thread::sleep_for(1500ms);
  REQUIRE(watch.wait_for(0s) == std::future_status::timeout);  // still progressing
  // A worker silent for longer than --worker-lost-seconds (90) does not hold the rollout up.
  Produce({{lost, Report(lost, app, 0, 0, {}, 600s)}});
  Produce({{w4, Report(w4, app, 1, 1)}});
  std::this_thread::sleep_for(1500ms);
  REQUIRE(watch.wait_for(0s) == std::future_status::timeout);
  Produce({{w5, Report(w5, app, 1, 1)}});
  REQUIRE(watch.wait_for(60s) == std::future_status::ready);
  auto received = watch.get();
  CHECK(end.ok());
  REQUIRE(received.size() >= 2);
  CHECK(received.front().rollout() == AppStatus::PROGRESSING);
  CHECK(received.back().rollout() == AppStatus::CONVERGED);
  CHECK(received.back().hosts_desired() == 2);
  CHECK(received.back().hosts_converged() == 2);
  for (size_t i = 1; i < received.size(); ++i)
    CHECK(received[i].ShortDebugString() != received[i - 1].ShortDebugString());

  nebula::v1::GetWorkerRequest get;
  get.set_id(lost);
  Worker worker;
  REQUIRE(stub->GetWorker(Context().get(), get, &worker).ok());
  CHECK(worker.state() == Worker::LOST);

  // A tombstone removes the worker.
  Produce({{lost, std::nullopt}});
  auto deadline = std::chrono::steady_clock::now() + 30s;
  grpc::Status s;
  do {
    std::this_thread::sleep_for(200ms);
    s = stub->GetWorker(Context().get(), get, &worker);
  } while (s.ok() && std::chrono::steady_clock::now() < deadline);
  CHECK(s.error_code() == grpc::StatusCode::NOT_FOUND);
}

TEST_CASE("worker and status calls refuse bad input and unknown names", "[integration]") {
  auto stub = Stub();
  Worker worker;
  nebula::v1::GetWorkerRequest get;
  CHECK(stub->GetWorker(Context().get(), get, &worker).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  get.set_id(Unique("no-such-worker"));
  CHECK(stub->GetWorker(Context().get(), get, &worker).error_code() == grpc::StatusCode::NOT_FOUND);

  AppStatus status;
  nebula::v1::GetAppStatusRequest request;
  request.set_name("Not A Name");
  CHECK(stub->GetAppStatus(Context().get(), request, &status).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  request.set_name(Unique("no-such-app"));
  CHECK(stub->GetAppStatus(Context().get(), request, &status).error_code() == grpc::StatusCode::NOT_FOUND);
  grpc::Status end;
  CHECK(Watch(*stub, Unique("no-such-app"), &end).empty());
  CHECK(end.error_code() == grpc::StatusCode::NOT_FOUND);

  nebula::v1::ListWorkersRequest list;
  list.set_page_token("garbage!");
  nebula::v1::ListWorkersResponse page;
  CHECK(stub->ListWorkers(Context().get(), list, &page).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  list.set_page_token("");
  list.set_page_size(-1);
  CHECK(stub->ListWorkers(Context().get(), list, &page).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}
