// A rolling update on the real dockerd, watched from outside by polling docker every 100 ms: never
// more than max_unavailable of the app's containers are down at once, batches are min_ready_seconds
// apart, and a new config whose containers exit stops the roll with the old containers kept.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <thread>

#include "../dockerd_fixture.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using namespace std::chrono_literals;

namespace {

struct Census {
  int running = 0;
  int with_hash = 0;  // running with the wanted hash
};

Census Count(DockerdFixture& f, const std::set<std::string>& hashes) {
  Census c;
  for (const auto& container : f.List()) {
    if (container.state != ContainerState::kRunning) continue;
    ++c.running;
    if (hashes.count(ReadIdentity(container).config_hash)) ++c.with_hash;
  }
  return c;
}

}  // namespace

TEST_CASE("rolling update on dockerd: at most max_unavailable down, batches wait min_ready_seconds",
          "[integration][rolling]") {
  DockerdFixture f("roll");
  constexpr int kCount = 4;
  auto spec = SleepSpec();
  spec.mutable_containers_per()->set_instance(kCount);
  auto* strategy = spec.mutable_update_strategy();
  strategy->set_rolling(true);
  strategy->set_max_unavailable(1);
  strategy->set_min_ready_seconds(2);
  f.Desire("roll", 1, spec);
  f.RequireConverged();
  REQUIRE(Count(f, {}).running == kCount);

  (*spec.mutable_env())["VERSION"] = "2";
  std::set<std::string> new_hashes;  // the hash covers the index
  for (int i = 0; i < kCount; ++i) {
    new_hashes.insert(BuildContainerSpec("roll", spec, 2, i, AgentSettings{f.worker, "127.0.0.1"}).config_hash);
  }
  f.Get().Start();
  f.Desire("roll", 2, spec);

  int min_running = kCount, polls = 0;
  bool done = false;
  const auto until = std::chrono::steady_clock::now() + 90s;
  while (!done && std::chrono::steady_clock::now() < until) {
    const Census c = Count(f, new_hashes);
    min_running = std::min(min_running, c.running);
    ++polls;
    done = c.with_hash == kCount && c.running == kCount;
    std::this_thread::sleep_for(100ms);
  }
  f.Get().Stop();
  std::printf("rolling update of %d containers: %d polls, fewest running at once %d\n", kCount, polls, min_running);
  REQUIRE(done);
  CHECK(min_running >= kCount - 1);

  // The new containers were created at least min_ready_seconds apart (batches of one).
  std::vector<int64_t> created;
  for (const auto& c : f.List()) created.push_back(c.created);
  std::sort(created.begin(), created.end());
  for (size_t i = 1; i < created.size(); ++i) CHECK(created[i] - created[i - 1] >= 2);
}

TEST_CASE("rolling update on dockerd: a failing new config stops the roll and keeps the rest",
          "[integration][rolling]") {
  DockerdFixture f("rollfail");
  auto spec = SleepSpec();
  spec.mutable_containers_per()->set_instance(3);
  spec.mutable_update_strategy()->set_rolling(true);
  spec.set_restart_policy(nebula::v1::RESTART_POLICY_NO);  // an exit is final: the batch failed
  // With min_ready_seconds 0 a container that is running for an instant is ready, so on a loaded machine
  // "exit 3" could pass the gate before it exits; 2 s makes "exits before ready" certain.
  spec.mutable_update_strategy()->set_min_ready_seconds(2);
  f.Desire("rollfail", 1, spec);
  f.RequireConverged();
  const auto old_ids = f.Ids();

  auto broken = spec;
  broken.clear_args();
  broken.add_args("exit 3");
  f.Desire("rollfail", 2, broken);
  // Passes until the roll reports itself stopped.
  bool stopped = false;
  std::string errors;
  for (int i = 0; i < 60 && !stopped; ++i) {
    f.Get().RunPass();
    for (const auto& app : f.Get().Status().apps) {
      for (const auto& e : app.errors) {
        errors += e.text + "\n";
        stopped = stopped || e.text.rfind("rolling update stopped", 0) == 0;
      }
    }
    std::this_thread::sleep_for(300ms);
  }
  INFO(errors);
  REQUIRE(stopped);
  // One container was replaced (the failed batch); the two others still run the old config.
  int old_running = 0;
  for (const auto& c : f.List()) old_running += old_ids.count(c.id) && c.state == ContainerState::kRunning;
  CHECK(old_running == 2);
  for (int i = 0; i < 3; ++i) f.Get().RunPass();
  old_running = 0;
  for (const auto& c : f.List()) old_running += old_ids.count(c.id) && c.state == ContainerState::kRunning;
  CHECK(old_running == 2);
}

TEST_CASE("health-gated rolling update on dockerd: the next batch waits for HEALTHCHECK healthy",
          "[integration][rolling]") {
  DockerdFixture f("rollhealth");
  // An image whose health check takes 3 s to pass: a new container is healthy ~4 s after start.
  const std::string image = "wa-slow-healthy-" + f.worker.substr(14) + ":1";
  {
    auto base = RunDockerQuiet({"create", nebula::testing::SharedStack().sample_image});
    REQUIRE(base.exit_code == 0);
    const std::string base_id = base.out.substr(0, base.out.find('\n'));
    auto committed = RunDockerQuiet(
        {"commit", "-c", "HEALTHCHECK --interval=1s --timeout=10s --retries=3 CMD sleep 3", base_id, image});
    RunDockerQuiet({"rm", "-f", base_id});
    REQUIRE(committed.exit_code == 0);
  }
  f.CleanUpLater([=] { RunDockerQuiet({"rmi", "-f", image}); });
  auto spec = SleepSpec();
  spec.set_image(image);
  spec.set_pull_policy(nebula::v1::PULL_POLICY_NEVER);
  spec.mutable_containers_per()->set_instance(3);
  spec.mutable_update_strategy()->set_rolling(true);
  spec.mutable_update_strategy()->set_health_gated(true);
  f.Desire("rollhealth", 1, spec);
  f.RequireConverged();

  (*spec.mutable_env())["VERSION"] = "2";
  f.Desire("rollhealth", 2, spec);
  f.RequireConverged(std::chrono::seconds(120));
  auto containers = f.List();
  REQUIRE(containers.size() == 3);
  std::sort(containers.begin(), containers.end(), [](const auto& a, const auto& b) { return a.created < b.created; });
  // The roll is done once the last batch was created; the earlier batches had to be healthy.
  CHECK(containers[0].health == Health::kHealthy);
  CHECK(containers[1].health == Health::kHealthy);
  std::vector<int64_t> created;
  for (const auto& c : containers) created.push_back(c.created);
  // Batches of one, each after the previous new container turned healthy (≥ 3 s).
  for (size_t i = 1; i < created.size(); ++i) CHECK(created[i] - created[i - 1] >= 3);
}
