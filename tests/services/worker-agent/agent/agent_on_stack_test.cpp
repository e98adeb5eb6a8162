// The agent binary on the test stack's real dockerd and Kafka, driven through the nebula CLI:
// drift repair through dockerd's event stream (a container killed or removed by hand is back
// within 2 s), and the reports it publishes to nebula.reports (read with a plain consumer). One
// test case, as every case here would need its own agent and app.
#include <catch2/catch.hpp>
#include <librdkafka/rdkafkacpp.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/desired_keys.h"
#include "nebula/v1/worker_report.pb.h"
#include "stack_fixture.h"
#include "test_apps.h"
#include "test_producer.h"

using nebula::testing::BackgroundProcess;
using nebula::testing::CommandResult;
using nebula::testing::Eventually;
using nebula::testing::Run;
using nebula::testing::SharedStack;
using nebula::testing::TestPort;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kApp = "wa-drift";

std::string WorkerId() { return "wa-drift-" + std::to_string(getpid()); }

CommandResult Nebula(std::vector<std::string> args) { return nebula::testing::RunNebula(std::move(args)); }
CommandResult Docker(std::vector<std::string> args) { return nebula::testing::RunDocker(std::move(args)); }

// Ids of this worker's containers of the app at `index` (running ones only, if asked).
std::vector<std::string> ContainersAt(int index, bool running_only) {
  std::vector<std::string> args{"ps",
                                "-q",
                                "--no-trunc",
                                "--filter",
                                "label=dev.nebula.worker=" + WorkerId(),
                                "--filter",
                                std::string("label=dev.nebula.app=") + kApp,
                                "--filter",
                                "label=dev.nebula.index=" + std::to_string(index)};
  if (!running_only) args.insert(args.begin() + 1, "-a");
  auto r = Docker(args);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> ids;
  std::istringstream in(r.out);
  for (std::string id; in >> id;) ids.push_back(id);
  return ids;
}

int64_t Generation(const json& app) {
  const auto& g = app["generation"];  // proto3 JSON renders int64 as a string
  return g.is_string() ? std::stoll(g.get<std::string>()) : g.get<int64_t>();
}

std::unique_ptr<BackgroundProcess> StartAgent(int port, const std::vector<std::string>& extra = {}) {
  const auto& stack = SharedStack();
  // A resync far beyond the test's deadlines: repairs within 2 s can only come from the events.
  std::vector<std::string> argv{stack.bin_dir + "/nebula-worker-agent",
                                "--apps",
                                kApp,
                                "--worker-id",
                                WorkerId(),
                                "--kafka-brokers",
                                stack.kafka_brokers,
                                "--docker-host",
                                stack.docker_host,
                                "--listen",
                                "127.0.0.1:" + std::to_string(port),
                                "--resync-seconds",
                                "300"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return std::make_unique<BackgroundProcess>(argv, std::map<std::string, std::string>{},
                                             stack.state_dir + "/wa-drift-agent.log");
}

// Seconds until a running container is at `index` again, polled every 50 ms, up to 10 s.
double SecondsUntilRunning(int index, std::chrono::steady_clock::time_point since) {
  Eventually([&] { return !ContainersAt(index, true).empty(); }, 10s, 50ms);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Reads nebula.reports from the start with a plain consumer until `pred` accepts one of this
// worker's reports (key = worker id), or the timeout passes.
bool FindReportOf(const std::string& worker, const std::function<bool(const nebula::v1::WorkerReport&)>& pred,
                  std::chrono::seconds timeout) {
  std::string error;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  REQUIRE(conf->set("bootstrap.servers", SharedStack().kafka_brokers, error) == RdKafka::Conf::CONF_OK);
  REQUIRE(conf->set("group.id", "wa-reports-" + std::to_string(getpid()), error) == RdKafka::Conf::CONF_OK);
  REQUIRE(conf->set("auto.offset.reset", "earliest", error) == RdKafka::Conf::CONF_OK);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), error));
  REQUIRE(consumer);
  REQUIRE(consumer->subscribe({std::string(nebula::kReportsTopic)}) == RdKafka::ERR_NO_ERROR);
  const auto until = std::chrono::steady_clock::now() + timeout;
  bool found = false;
  while (!found && std::chrono::steady_clock::now() < until) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR || !m->key() || *m->key() != worker) continue;
    nebula::v1::WorkerReport report;
    if (report.ParseFromArray(m->payload(), static_cast<int>(m->len())) && pred(report)) found = true;
  }
  consumer->close();
  return found;
}

bool FindReport(const std::function<bool(const nebula::v1::WorkerReport&)>& pred, std::chrono::seconds timeout) {
  return FindReportOf(WorkerId(), pred, timeout);
}

}  // namespace

TEST_CASE("a managed container killed or removed by hand is back within 2 s, and reports tell",
          "[integration][drift]") {
  const auto& stack = SharedStack();
  auto agent = StartAgent(TestPort(0));
  auto created = Nebula({"apps", "create", kApp, "--image", stack.sample_image, "--containers", "2", "-o", "json"});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);
  const int64_t generation = Generation(json::parse(created.out));
  const bool up =
      Eventually([] { return ContainersAt(0, true).size() == 1 && ContainersAt(1, true).size() == 1; }, 60s);
  INFO(agent->LogTail());
  REQUIRE(up);
  std::this_thread::sleep_for(1s);  // let the agent verify its work, so the next actions are repairs

  const auto killed = ContainersAt(0, true);
  auto t0 = std::chrono::steady_clock::now();
  REQUIRE(Docker({"kill", killed[0]}).exit_code == 0);
  const double kill_repair = SecondsUntilRunning(0, t0);
  std::printf("drift repair: docker kill -> running again in %.2f s\n", kill_repair);

  const auto removed = ContainersAt(1, true);
  t0 = std::chrono::steady_clock::now();
  REQUIRE(Docker({"rm", "-f", removed[0]}).exit_code == 0);
  const double rm_repair = SecondsUntilRunning(1, t0);
  std::printf("drift repair: docker rm -f -> running again in %.2f s\n", rm_repair);
  std::fflush(stdout);

  INFO(agent->LogTail());
  CHECK(kill_repair < 2.0);
  CHECK(rm_repair < 2.0);
  CHECK(ContainersAt(0, false).size() == 1);
  CHECK(ContainersAt(1, false) != removed);  // a new container took the removed one's place
  // The agent publishes its report on every change: the converged generation shows on nebula.reports.
  CHECK(FindReport(
      [&](const nebula::v1::WorkerReport& report) {
        for (const auto& app : report.app_reports()) {
          if (app.app() == kApp && app.converged_generation() == generation && app.running_containers() == 2) {
            return report.synced() && report.worker_id() == WorkerId();
          }
        }
        return false;
      },
      60s));

  CHECK(Nebula({"apps", "delete", kApp}).exit_code == 0);
  CHECK(Eventually([] { return ContainersAt(0, false).empty() && ContainersAt(1, false).empty(); }, 30s));
  CHECK(agent->Stop() == 0);
}

TEST_CASE("device-group agent: the group's app runs, its cron job runs and reports, an app leaving is stopped",
          "[integration][group]") {
  using namespace nebula::agent::testing;
  const auto& stack = SharedStack();
  const std::string run = "wag" + std::to_string(getpid());
  const std::string group = run + "-edge", app = run + "-app", job = run + "-job", worker = run + "-worker";
  nebula::v1::AppSpec spec;
  spec.set_image(stack.sample_image);
  TestProducer producer(stack.kafka_brokers);
  producer.Send(nebula::AppKey(app), Record(app, 1, spec));
  producer.Send(nebula::CronJobKey(job), CronRecord(job, 1, "* * * * *", stack.sample_image, {"sh", "-c", "exit 4"}));
  producer.Send(nebula::DeviceGroupKey(group), GroupRecord(group, 1, {app}, {job}));

  BackgroundProcess agent({stack.bin_dir + "/nebula-worker-agent", "--device-group", group, "--worker-id", worker,
                           "--kafka-brokers", stack.kafka_brokers, "--docker-host", stack.docker_host, "--listen",
                           "127.0.0.1:" + std::to_string(TestPort(2)), "--report-interval-seconds", "2"},
                          {}, stack.state_dir + "/" + worker + ".log");
  auto app_running = [&] {
    auto r = Docker(
        {"ps", "-q", "--filter", "label=dev.nebula.worker=" + worker, "--filter", "label=dev.nebula.app=" + app});
    return r.exit_code == 0 && !r.out.empty();
  };
  const bool up = Eventually(app_running, 60s);
  INFO(agent.LogTail());
  REQUIRE(up);

  // The cron job runs at the next full minute; its exit code reaches nebula.reports.
  const auto worker_id = worker;
  bool reported = false;
  std::string errors;
  const auto until = std::chrono::steady_clock::now() + 100s;
  while (!reported && std::chrono::steady_clock::now() < until) {
    reported = FindReportOf(
        worker_id,
        [&](const nebula::v1::WorkerReport& report) {
          if (report.device_group() != group || report.apps_size() != 1 || report.apps(0) != app) return false;
          for (const auto& c : report.cron_job_reports()) {
            for (const auto& e : c.errors()) errors += e + "\n";
            if (c.cron_job() == job && c.has_last_finish_time() && c.last_exit_code() == 4 && c.has_next_run_time()) {
              return true;
            }
          }
          return false;
        },
        10s);
  }
  INFO(errors << agent.LogTail());
  CHECK(reported);
  // Finished runs do not pile up.
  CHECK(Eventually(
      [&] {
        auto r = Docker({"ps", "-aq", "--filter", "label=dev.nebula.worker=" + worker, "--filter",
                         "label=dev.nebula.cron=" + job, "--filter", "status=exited"});
        return r.exit_code == 0 && r.out.empty();
      },
      10s));

  // The app leaves the group: stopped.
  producer.Send(nebula::DeviceGroupKey(group), GroupRecord(group, 2, {}, {}));
  CHECK(Eventually([&] { return !app_running(); }, 30s));
  CHECK(agent.Stop() == 0);
  auto left = Docker({"ps", "-aq", "--filter", "label=dev.nebula.worker=" + worker});
  if (!left.out.empty()) {
    std::istringstream in(left.out);
    std::vector<std::string> args{"rm", "-f"};
    for (std::string id; in >> id;) args.push_back(id);
    Docker(args);
  }
}
