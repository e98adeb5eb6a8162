// The generation fence's rule: which keys move, to where, and what a record on the topic says.
#include "api-manager/rules/generation_fence.h"

#include <catch2/catch.hpp>

#include "api-manager/rules/relay_plan.h"
#include "nebula/v1/desired_state.pb.h"

namespace am = nebula::api_manager;

namespace {

std::string Record(int64_t generation, bool deleted = false) {
  nebula::v1::DesiredState state;
  state.set_generation(generation);
  state.set_deleted(deleted);
  return state.SerializeAsString();
}

}  // namespace

TEST_CASE("keys behind the topic move one past it; equal or ahead keys stay", "[unit]") {
  const am::GenerationsByKey published{{"app/web", 101},  {"app/db", 3},       {"app/new", 7},
                                       {"group/edge", 4}, {"cron/nightly", 2}, {"global", 9}};
  const am::GenerationsByKey stored{{"app/web", 1},    {"app/db", 3},       {"app/new", 9},
                                    {"group/edge", 2}, {"cron/nightly", 2}, {"app/only-here", 5}};
  const auto jumps = am::PlanGenerationJumps(published, stored);
  REQUIRE(jumps.size() == 3);
  CHECK(jumps[0].key == "app/web");
  CHECK(jumps[0].stored == 1);
  CHECK(jumps[0].published == 101);
  CHECK(jumps[0].to == 102);
  CHECK(jumps[1].key == "global");  // never stored: stored 0
  CHECK(jumps[1].stored == 0);
  CHECK(jumps[1].to == 10);
  CHECK(jumps[2].key == "group/edge");
  CHECK(jumps[2].to == 5);
}

TEST_CASE("keys this API never writes are left alone", "[unit]") {
  const am::GenerationsByKey published{
      {"app/Not A Name", 50}, {"other/x", 50}, {"app/", 50}, {"appweb", 50}, {"app/ok", 50}};
  const auto jumps = am::PlanGenerationJumps(published, {});
  REQUIRE(jumps.size() == 1);
  CHECK(jumps[0].key == "app/ok");
}

TEST_CASE("a key names its object", "[unit]") {
  CHECK(am::ObjectOfKey("app/web")->app);
  CHECK(am::ObjectOfKey("app/web")->name == "web");
  CHECK(am::ObjectOfKey("group/edge")->kind == am::ResourceKind::kDeviceGroup);
  CHECK(am::ObjectOfKey("cron/nightly")->kind == am::ResourceKind::kCronJob);
  CHECK(am::ObjectOfKey("global")->kind == am::ResourceKind::kGlobal);
  CHECK_FALSE(am::ObjectOfKey("app/UPPER"));
  CHECK_FALSE(am::ObjectOfKey("device/x"));
}

TEST_CASE("the topic's generation per key is the highest any record carried; tombstones carry none", "[unit]") {
  am::GenerationsByKey published;
  am::NotePublished(published, "app/web", Record(5));
  am::NotePublished(published, "app/web", Record(3));  // an older record after a newer one
  am::NotePublished(published, "app/web", std::nullopt);
  am::NotePublished(published, "app/db", Record(2, true));
  am::NotePublished(published, "app/db", std::nullopt);
  am::NotePublished(published, "app/junk", std::string("\xff\xff not a DesiredState"));
  am::NotePublished(published, "app/zero", Record(0));
  CHECK(published == am::GenerationsByKey{{"app/web", 5}, {"app/db", 2}});
}

TEST_CASE("outbox rows older than the topic are superseded; newer, equal and tombstones are not", "[unit]") {
  const std::vector<am::OutboxRow> rows{{1, "app/web", Record(3)},   {2, "app/web", std::nullopt},
                                        {3, "app/web", Record(101)}, {4, "app/web", Record(102)},
                                        {5, "app/db", Record(1)},    {6, "app/web", std::string("junk")}};
  const auto superseded = am::SupersededRows(rows, {{"app/web", 101}});
  CHECK(superseded == std::vector<bool>{true, false, false, false, false, false});
  CHECK(am::SupersededRows(rows, {}) == std::vector<bool>(6, false));
}

TEST_CASE("a jump explains itself for history and logs", "[unit]") {
  const std::string text = am::DescribeJump({.key = "app/web", .stored = 3, .published = 101, .to = 102});
  CHECK(text.find("generation 3 -> 102") != std::string::npos);
  CHECK(text.find("101") != std::string::npos);
}
