// The reconcile loop's pull refresh and rolling updates on an in-memory dockerd.
#include <catch2/catch.hpp>

#include <algorithm>

#include "../test_apps.h"
#include "worker-agent/agent/reconciler.h"
#include "worker-agent/docker/hollow_docker_client.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Rollout {
  int64_t unix_now = 1'000'000;
  HollowDockerClient docker{HollowOptions{.unix_now = [this] { return unix_now; }}};
  DesiredView view{{"web"}};
  SteadyClock::time_point now = SteadyClock::now();
  std::unique_ptr<Reconciler> reconciler;

  Rollout() {
    docker.AddImage("nebtest/web:1");
    ReconcilerOptions options;
    options.clock = [this] { return now; };
    options.unix_now = [this] { return unix_now; };
    options.pull_retry = std::chrono::seconds(30);
    reconciler = std::make_unique<Reconciler>(
        docker, [this] { return view; }, kHost, kSettings, options);
  }
  void Desire(int64_t generation, const nebula::v1::AppSpec& spec) {
    view.Apply("app/web", Record("web", generation, spec));
    view.MarkCaughtUp();
  }
  void Advance(int seconds) {
    now += std::chrono::seconds(seconds);
    unix_now += seconds;
  }
  std::set<std::string> Ids() {
    std::set<std::string> ids;
    for (const auto& c : docker.All()) ids.insert(c.id);
    return ids;
  }
  std::vector<std::string> Errors() {
    auto status = reconciler->Status();
    REQUIRE(!status.apps.empty());
    std::vector<std::string> texts;
    for (const auto& e : status.apps[0].errors) texts.push_back(e.text);
    return texts;
  }
};

}  // namespace

TEST_CASE("pull nonce: pull, then replace only containers whose image ID changed", "[unit][reconciler]") {
  Rollout r;
  r.Desire(1, WebSpec(2));
  r.reconciler->RunPass();
  REQUIRE(r.reconciler->RunPass() == PassResult::kConverged);
  const auto before = r.Ids();
  const int pulls = r.docker.pulls;

  // Same tag, nothing new in the registry: pulled, nothing replaced.
  auto spec = WebSpec(2);
  spec.set_pull_nonce(1);
  r.Desire(2, spec);
  CHECK(r.reconciler->RunPass() == PassResult::kActed);
  CHECK(r.docker.pulls == pulls + 1);
  CHECK(r.reconciler->RunPass() == PassResult::kConverged);
  CHECK(r.Ids() == before);

  // A new image under the tag: the next nonce replaces both containers; no pull after that.
  r.docker.SetRegistryImage("nebtest/web:1", "sha256:v2");
  spec.set_pull_nonce(2);
  r.Desire(3, spec);
  CHECK(r.reconciler->RunPass() == PassResult::kActed);  // pull
  CHECK(r.reconciler->RunPass() == PassResult::kActed);  // replace
  CHECK(r.reconciler->RunPass() == PassResult::kConverged);
  CHECK(r.docker.pulls == pulls + 2);
  for (const auto& c : r.docker.All()) {
    CHECK(before.count(c.id) == 0);
    CHECK(c.image_id == "sha256:v2");
  }
}

TEST_CASE("a failed refresh pull keeps the containers, is reported and retried later", "[unit][reconciler]") {
  Rollout r;
  r.Desire(1, WebSpec(2));
  r.reconciler->RunPass();
  r.reconciler->RunPass();
  const auto before = r.Ids();
  auto spec = WebSpec(2);
  spec.set_pull_policy(nebula::v1::PULL_POLICY_ALWAYS);
  r.docker.FailPulls("registry down");
  r.Desire(2, spec);
  CHECK(r.reconciler->RunPass() == PassResult::kFailed);
  const int pulls = r.docker.pulls;
  r.reconciler->RunPass();  // runs on as it is, says why
  CHECK(r.docker.pulls == pulls);
  CHECK(r.Ids() == before);
  REQUIRE(!r.Errors().empty());
  CHECK_THAT(r.Errors()[0], Catch::Contains("registry down"));
  r.docker.FailPulls("");
  r.Advance(31);
  CHECK(r.reconciler->RunPass() == PassResult::kActed);
  CHECK(r.docker.pulls == pulls + 1);
  CHECK(r.reconciler->RunPass() == PassResult::kConverged);
  CHECK(r.Ids() == before);
}

TEST_CASE("a rolling update never has more than max_unavailable slots down", "[unit][reconciler]") {
  Rollout r;
  r.Desire(1, WebSpec(5));
  r.reconciler->RunPass();
  REQUIRE(r.reconciler->RunPass() == PassResult::kConverged);
  r.Advance(100);

  auto spec = WebSpec(5);
  (*spec.mutable_env())["MODE"] = "v2";
  spec.mutable_update_strategy()->set_rolling(true);
  spec.mutable_update_strategy()->set_max_unavailable(2);
  spec.mutable_update_strategy()->set_min_ready_seconds(3);
  r.Desire(2, spec);
  std::set<std::string> new_hashes;
  for (int i = 0; i < 5; ++i) new_hashes.insert(BuildContainerSpec("web", spec, 2, i, kSettings).config_hash);
  int passes = 0, rolling_passes = 0;
  for (; passes < 100; ++passes) {
    const auto result = r.reconciler->RunPass();
    // Ready = running and old, or new for min_ready_seconds; the rest are "down".
    int ready = 0;
    for (const auto& c : r.docker.All()) {
      const auto id = ReadIdentity(c);
      const bool is_new = new_hashes.count(id.config_hash) > 0;
      if (c.state == ContainerState::kRunning && (!is_new || r.unix_now - c.created >= 3)) ++ready;
    }
    INFO("pass " << passes);
    CHECK(5 - ready <= 2);
    if (result == PassResult::kConverged) break;
    if (result == PassResult::kRolling) ++rolling_passes;
    r.Advance(1);
  }
  CHECK(passes < 100);
  CHECK(rolling_passes >= 3);  // it waited between batches
  for (const auto& c : r.docker.All()) CHECK(new_hashes.count(ReadIdentity(c).config_hash) == 1);
  CHECK(r.docker.All().size() == 5);
}
