// WorkerStore's contract (worker_store.h), for every implementation: see store_contracts.h.
#include <catch2/catch.hpp>

#include "nebula/v1/worker_report.pb.h"
#include "store/store_contracts.h"

namespace nebula::api_manager::testing {
namespace {

constexpr Micros kSecond = 1000000;
constexpr Micros kT0 = 1700000000 * kSecond;

// A report of worker id at last_seen listing apps, each observed and converged at generation.
FoldedReport Report(const std::string& id, Micros last_seen, const std::vector<std::string>& apps,
                    int64_t generation = 1) {
  nebula::v1::WorkerReport report;
  report.set_worker_id(id);
  report.set_hostname(id + ".lan");
  for (const auto& app : apps) report.add_apps(app);
  FoldedReport folded{id, id + ".lan", last_seen, report.SerializeAsString(), {}};
  for (const auto& app : apps) folded.apps.push_back({id, app, generation, generation, {}});
  return folded;
}

std::vector<std::string> Workers(const WorkerPage& page) {
  std::vector<std::string> ids;
  for (const auto& worker : page.workers) {
    nebula::v1::WorkerReport report;
    REQUIRE(report.ParseFromString(worker.report));
    ids.push_back(report.worker_id());
  }
  return ids;
}

std::vector<std::string> Hosts(const std::vector<HostStatusRow>& rows) {
  std::vector<std::string> hosts;
  for (const auto& row : rows) hosts.push_back(row.app.worker_id);
  return hosts;
}

}  // namespace

void CheckWorkerStoreContract(const MakeStores& make) {
  std::unique_ptr<StoresUnderTest> stores = make();
  WorkerStore& workers = stores->workers();

  SECTION("Fold stores the report and Get returns it with last_seen; an unknown worker is nullopt") {
    FoldedReport report = Report("w1", kT0, {"web"});
    CHECK(workers.Fold(report));
    std::optional<StoredWorker> got = workers.Get("w1");
    REQUIRE(got);
    CHECK(got->report == report.report);
    CHECK(got->last_seen == kT0);
    CHECK_FALSE(workers.Get("w2"));
  }

  SECTION("a report older than the stored one is not applied; one as new or newer replaces it") {
    CHECK(workers.Fold(Report("w1", kT0 + 5 * kSecond, {"web"}, 3)));
    CHECK_FALSE(workers.Fold(Report("w1", kT0, {"db"}, 1)));
    CHECK(workers.Get("w1")->last_seen == kT0 + 5 * kSecond);
    CHECK(workers.Get("w1")->report == Report("w1", kT0 + 5 * kSecond, {"web"}, 3).report);
    REQUIRE(workers.HostsOf("web").size() == 1);
    CHECK(workers.HostsOf("web")[0].app.observed_generation == 3);
    CHECK(workers.HostsOf("db").empty());

    CHECK(workers.Fold(Report("w1", kT0 + 5 * kSecond, {"web"}, 4)));
    CHECK(workers.HostsOf("web")[0].app.observed_generation == 4);
    CHECK(workers.Fold(Report("w1", kT0 + 6 * kSecond, {"db"}, 2)));
    CHECK(workers.HostsOf("web").empty());  // the newer report's rows replace the older ones
    REQUIRE(workers.HostsOf("db").size() == 1);
    CHECK(workers.Get("w1")->last_seen == kT0 + 6 * kSecond);
  }

  SECTION("HostsOf lists every worker with a row for the app, by id, with its hostname and last_seen") {
    FoldedReport failing = Report("w2", kT0 + kSecond, {"web", "db"}, 2);
    failing.apps[0].converged_generation = 1;
    failing.apps[0].errors = {"port 80 in use", "retrying"};
    workers.Fold(failing);
    workers.Fold(Report("w3", kT0 + 2 * kSecond, {"web"}, 2));
    workers.Fold(Report("w1", kT0 + 3 * kSecond, {"db"}, 2));

    std::vector<HostStatusRow> web = workers.HostsOf("web");
    CHECK(Hosts(web) == std::vector<std::string>{"w2", "w3"});
    REQUIRE(web.size() == 2);
    CHECK(web[0].app.app == "web");
    CHECK(web[0].app.observed_generation == 2);
    CHECK(web[0].app.converged_generation == 1);
    CHECK(web[0].app.errors == std::vector<std::string>{"port 80 in use", "retrying"});
    CHECK(web[0].hostname == "w2.lan");
    CHECK(web[0].last_seen == kT0 + kSecond);
    CHECK(web[1].app.errors.empty());
    CHECK(Hosts(workers.HostsOf("db")) == std::vector<std::string>{"w1", "w2"});
    CHECK(workers.HostsOf("ghost").empty());
  }

  SECTION("Forget removes the worker and its rows; forgetting an unknown worker is no error") {
    workers.Fold(Report("w1", kT0, {"web"}));
    workers.Fold(Report("w2", kT0, {"web"}));
    workers.Forget("w1");
    CHECK_FALSE(workers.Get("w1"));
    CHECK(Hosts(workers.HostsOf("web")) == std::vector<std::string>{"w2"});
    CHECK(Workers(workers.List("", 10)) == std::vector<std::string>{"w2"});
    workers.Forget("ghost");
    // A forgotten worker's next report is applied whatever its time.
    CHECK(workers.Fold(Report("w1", kT0 - kSecond, {"web"})));
  }

  SECTION("List pages through the workers by id") {
    for (const char* id : {"w4", "w1", "w3", "w2", "w5"}) workers.Fold(Report(id, kT0, {}));
    WorkerPage first = workers.List("", 2);
    CHECK(Workers(first) == std::vector<std::string>{"w1", "w2"});
    CHECK(first.more);
    CHECK(first.workers[0].last_seen == kT0);
    WorkerPage second = workers.List("w2", 3);
    CHECK(Workers(second) == std::vector<std::string>{"w3", "w4", "w5"});
    CHECK_FALSE(second.more);
    CHECK(workers.List("w5", 10).workers.empty());
    CHECK(Workers(workers.List("w1.5", 1)) == std::vector<std::string>{"w2"});  // after_id need not exist
  }
}

}  // namespace nebula::api_manager::testing
