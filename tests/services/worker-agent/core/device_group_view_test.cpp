// DesiredView in device-group mode: the group record decides the apps and cron jobs, both can
// change at run time; "global" carries the prune generation for every agent.
#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/core/desired_view.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

TEST_CASE("group mode: apps and cron jobs come from the group record", "[unit][desired][group]") {
  auto view = DesiredView::ForGroup("edge");
  CHECK(view.apps().empty());
  CHECK(view.Keys() == std::vector<std::string>{"global", "group/edge"});
  CHECK(view.Apply("group/other", GroupRecord("other", 1, {"x"})) == ApplyResult::kNotMine);
  CHECK(view.Apply("group/edge", GroupRecord("edge", 1, {"web", "db", "web"}, {"backup"}, 2)) == ApplyResult::kApplied);
  CHECK(view.apps() == std::vector<std::string>{"web", "db"});
  CHECK(view.group_prune_generation() == 2);
  CHECK(view.Keys() == std::vector<std::string>{"global", "group/edge", "app/web", "app/db", "cron/backup"});
  CHECK(view.CronJobs().empty());  // listed, no record yet

  CHECK(view.Apply("app/web", Record("web", 3, WebSpec(1))) == ApplyResult::kApplied);
  CHECK(view.Apply("cron/backup", CronRecord("backup", 1, "*/5 * * * *", "busybox")) == ApplyResult::kApplied);
  REQUIRE(view.CronJobs().size() == 1);
  CHECK(view.CronJobs()[0].job.schedule() == "*/5 * * * *");
  view.MarkCaughtUp();
  CHECK(view.Desire("web").kind == DesireKind::kPresent);
  CHECK(view.Desire("db").kind == DesireKind::kAbsent);

  // The group drops web: it is no longer followed (its containers become leftovers), but its record is kept.
  CHECK(view.Apply("group/edge", GroupRecord("edge", 2, {"db"}, {})) == ApplyResult::kApplied);
  CHECK(view.apps() == std::vector<std::string>{"db"});
  CHECK_FALSE(view.Follows("web"));
  CHECK(view.CronJobs().empty());
  CHECK(view.Apply("group/edge", GroupRecord("edge", 1, {"web"})) == ApplyResult::kStale);
  // It comes back: the kept record applies again.
  CHECK(view.Apply("group/edge", GroupRecord("edge", 3, {"db", "web"})) == ApplyResult::kApplied);
  CHECK(view.Desire("web").generation == 3);
  // A tombstone of the group: nothing to run.
  CHECK(view.Apply("group/edge", std::nullopt) == ApplyResult::kApplied);
  CHECK(view.apps().empty());
}

TEST_CASE("global prune generation only grows, in both modes", "[unit][desired][group]") {
  DesiredView view({"web"});
  CHECK(view.Apply("global", GlobalRecord(1, 4)) == ApplyResult::kApplied);
  CHECK(view.global_prune_generation() == 4);
  CHECK(view.Apply("global", GlobalRecord(1, 9)) == ApplyResult::kStale);
  CHECK(view.Apply("global", std::nullopt) == ApplyResult::kStale);
  CHECK(view.global_prune_generation() == 4);
  CHECK(view.Apply("cron/x", CronRecord("x", 1, "* * * * *", "b")) == ApplyResult::kNotMine);
}

TEST_CASE("group records that contradict their key are malformed", "[unit][desired][group]") {
  auto view = DesiredView::ForGroup("edge");
  CHECK(view.Apply("group/edge", GroupRecord("other", 1, {"x"})) == ApplyResult::kMalformed);
  CHECK(view.Apply("group/edge", std::string("\xff\xff")) == ApplyResult::kMalformed);
  CHECK(view.Apply("cron/a", CronRecord("b", 1, "* * * * *", "x")) == ApplyResult::kMalformed);
  CHECK(view.apps().empty());
}
