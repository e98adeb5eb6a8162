// HEALTHCHECK on the real dockerd: an image whose health check always fails (made here with docker
// commit) runs in an app; the agent (reconcile loop + drift watch, which hears dockerd's
// health_status events) restarts the unhealthy container in place, with growing gaps (repair
// backoff), and never replaces it.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "../dockerd_fixture.h"
#include "worker-agent/agent/drift_watch.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using namespace std::chrono_literals;

TEST_CASE("an unhealthy container is restarted in place with backoff", "[integration][health]") {
  DockerdFixture f("health");
  const std::string image = "wa-unhealthy-" + f.worker.substr(10) + ":1";
  {
    auto base = RunDockerQuiet({"create", nebula::testing::SharedStack().sample_image});
    REQUIRE(base.exit_code == 0);
    const std::string base_id = base.out.substr(0, base.out.find('\n'));
    auto committed = RunDockerQuiet(
        {"commit", "-c", "HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD false", base_id, image});
    RunDockerQuiet({"rm", "-f", base_id});
    INFO(committed.err);
    REQUIRE(committed.exit_code == 0);
  }
  f.CleanUpLater([=] { RunDockerQuiet({"rmi", "-f", image}); });
  auto spec = SleepSpec();
  spec.set_image(image);
  spec.set_pull_policy(nebula::v1::PULL_POLICY_NEVER);
  f.options.repair.min = std::chrono::seconds(1);
  f.Desire("sick", 1, spec);
  f.RequireConverged();
  const auto ids = f.Ids();
  REQUIRE(ids.size() == 1);
  const std::string id = *ids.begin();

  DriftWatch drift(
      f.docker, {{std::string(kLabelManagedBy), "nebula"}, {std::string(kLabelWorker), f.worker}},
      [&](const ContainerEvent&) { f.Get().TriggerAfterDrift(); }, [&] { f.Get().Trigger(); });
  f.Get().Start();
  drift.Start();
  std::vector<std::string> starts;  // distinct State.StartedAt values seen
  const auto t0 = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - t0 < 16s) {
    auto r = RunDockerQuiet({"inspect", "-f", "{{.State.StartedAt}}", id});
    REQUIRE(r.exit_code == 0);  // the same container all along
    if (starts.empty() || starts.back() != r.out) starts.push_back(r.out);
    std::this_thread::sleep_for(100ms);
  }
  drift.Stop();
  f.Get().Stop();
  const int restarts = static_cast<int>(starts.size()) - 1;
  std::printf("unhealthy container restarted %d times in 16 s\n", restarts);
  CHECK(restarts >= 2);  // restarted, more than once
  CHECK(restarts <= 6);  // but backed off: without backoff it would be ~8 (unhealthy every ~2 s)
  CHECK(f.Ids() == ids);
}
