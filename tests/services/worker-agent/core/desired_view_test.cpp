#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/core/desired_view.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

TEST_CASE("before the initial read caught up an app without record is unknown, after, absent", "[unit][desired]") {
  DesiredView view({"web", "db"});
  CHECK(view.Desire("web").kind == DesireKind::kUnknown);
  REQUIRE(view.Apply("app/db", Record("db", 3, WebSpec())) == ApplyResult::kApplied);
  CHECK(view.Desire("db").kind == DesireKind::kPresent);
  CHECK_FALSE(view.caught_up());

  view.MarkCaughtUp();
  CHECK(view.caught_up());
  CHECK(view.Desire("web").kind == DesireKind::kAbsent);
  CHECK(view.Desire("web").generation == 0);
  CHECK(view.Desire("db").kind == DesireKind::kPresent);
}

TEST_CASE("only newer generations are applied", "[unit][desired]") {
  DesiredView view({"web"});
  auto v1 = WebSpec(1), v2 = WebSpec(2), v3 = WebSpec(3);
  CHECK(view.Apply("app/web", Record("web", 2, v2)) == ApplyResult::kApplied);
  CHECK(view.Apply("app/web", Record("web", 1, v1)) == ApplyResult::kStale);
  CHECK(view.Apply("app/web", Record("web", 2, v3)) == ApplyResult::kStale);  // duplicate generation
  CHECK(view.Desire("web").generation == 2);
  CHECK(view.Desire("web").spec.containers_per().instance() == 2);
  CHECK(view.Apply("app/web", Record("web", 3, v3)) == ApplyResult::kApplied);
  CHECK(view.Desire("web").spec.containers_per().instance() == 3);
}

TEST_CASE("a deleted envelope makes the app absent and keeps its generation", "[unit][desired]") {
  DesiredView view({"web"});
  view.Apply("app/web", Record("web", 4, WebSpec()));
  CHECK(view.Apply("app/web", DeletedRecord("web", 5)) == ApplyResult::kApplied);
  CHECK(view.Desire("web").kind == DesireKind::kAbsent);
  CHECK(view.Desire("web").generation == 5);
  CHECK(view.Apply("app/web", Record("web", 4, WebSpec())) == ApplyResult::kStale);    // a replay
  CHECK(view.Apply("app/web", Record("web", 6, WebSpec())) == ApplyResult::kApplied);  // re-created
  CHECK(view.Desire("web").kind == DesireKind::kPresent);
}

TEST_CASE("a tombstone makes the app absent, older replays stay stale", "[unit][desired]") {
  DesiredView view({"web"});
  view.Apply("app/web", Record("web", 4, WebSpec()));
  view.Apply("app/web", DeletedRecord("web", 5));
  CHECK(view.Apply("app/web", std::nullopt) == ApplyResult::kStale);  // nothing new after the envelope
  CHECK(view.Desire("web").kind == DesireKind::kAbsent);
  CHECK(view.Apply("app/web", Record("web", 3, WebSpec())) == ApplyResult::kStale);

  // Only a tombstone left (compaction took the rest): known absent, even before catching up.
  DesiredView fresh({"web"});
  CHECK(fresh.Apply("app/web", std::nullopt) == ApplyResult::kApplied);
  CHECK(fresh.Desire("web").kind == DesireKind::kAbsent);

  // A tombstone without a deleted envelope before it still removes the app.
  DesiredView direct({"web"});
  direct.Apply("app/web", Record("web", 2, WebSpec()));
  CHECK(direct.Apply("app/web", std::nullopt) == ApplyResult::kApplied);
  CHECK(direct.Desire("web").kind == DesireKind::kAbsent);
  CHECK(direct.Desire("web").generation == 2);
  CHECK(direct.Apply("app/web", Record("web", 3, WebSpec())) == ApplyResult::kApplied);
}

TEST_CASE("records of other apps and other kinds are not mine", "[unit][desired]") {
  DesiredView view({"web"});
  CHECK(view.Apply("app/db", Record("db", 1, WebSpec())) == ApplyResult::kNotMine);
  CHECK(view.Apply("group/web", Record("web", 1, WebSpec())) == ApplyResult::kNotMine);
  CHECK(view.Apply("global", std::string("x")) == ApplyResult::kMalformed);  // every agent follows "global"
  CHECK(view.Apply("app/", std::nullopt) == ApplyResult::kNotMine);
  CHECK(view.Desire("web").kind == DesireKind::kUnknown);
}

TEST_CASE("malformed records are rejected without changing the view", "[unit][desired]") {
  DesiredView view({"web"});
  view.Apply("app/web", Record("web", 1, WebSpec()));
  CHECK(view.Apply("app/web", std::string("\xff\xff\xff garbage")) == ApplyResult::kMalformed);
  CHECK(view.Apply("app/web", Record("db", 9, WebSpec())) == ApplyResult::kMalformed);  // key mismatch

  nebula::v1::DesiredState no_app;
  no_app.set_key("app/web");
  no_app.set_generation(9);
  CHECK(view.Apply("app/web", no_app.SerializeAsString()) == ApplyResult::kMalformed);
  CHECK(view.Desire("web").generation == 1);
}
