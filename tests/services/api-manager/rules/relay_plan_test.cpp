#include "api-manager/rules/relay_plan.h"

#include <catch2/catch.hpp>

namespace am = nebula::api_manager;
using nebula::kafka::DeliveryResult;

namespace {

std::vector<am::OutboxRow> Rows(std::initializer_list<int64_t> ids) {
  std::vector<am::OutboxRow> rows;
  for (int64_t id : ids) rows.push_back({id, "app/a" + std::to_string(id), "payload"});
  return rows;
}

DeliveryResult Ok() { return {true, ""}; }
DeliveryResult Failed(const char* why) { return {false, why}; }

}  // namespace

TEST_CASE("all delivered: every row is deleted") {
  auto step = am::PlanRelayStep(Rows({3, 7, 9}), {Ok(), Ok(), Ok()});
  CHECK(step.delete_ids == std::vector<int64_t>{3, 7, 9});
  CHECK(step.undelivered == 0);
  CHECK(step.first_error.empty());
}

TEST_CASE("only the delivered prefix is deleted") {
  auto step = am::PlanRelayStep(Rows({1, 2, 3, 4}), {Ok(), Failed("Local: Message timed out"), Ok(), Ok()});
  CHECK(step.delete_ids == std::vector<int64_t>{1});
  CHECK(step.undelivered == 3);
  CHECK(step.first_error == "Local: Message timed out");
}

TEST_CASE("a failed first record deletes nothing") {
  auto step = am::PlanRelayStep(Rows({5, 6}), {Failed("down"), Ok()});
  CHECK(step.delete_ids.empty());
  CHECK(step.undelivered == 2);
}

TEST_CASE("missing results count as undelivered") {
  auto step = am::PlanRelayStep(Rows({1, 2, 3}), {Ok()});
  CHECK(step.delete_ids == std::vector<int64_t>{1});
  CHECK(step.undelivered == 2);
  CHECK(step.first_error == "no delivery result");
  CHECK(am::PlanRelayStep(Rows({1}), {Failed("")}).first_error == "no delivery result");
}

TEST_CASE("an empty batch is a no-op") {
  auto step = am::PlanRelayStep({}, {});
  CHECK(step.delete_ids.empty());
  CHECK(step.undelivered == 0);
}

TEST_CASE("backoff doubles from 200 ms up to 5 s") {
  using std::chrono::milliseconds;
  CHECK(am::RelayBackoff(1) == milliseconds(200));
  CHECK(am::RelayBackoff(2) == milliseconds(400));
  CHECK(am::RelayBackoff(3) == milliseconds(800));
  CHECK(am::RelayBackoff(5) == milliseconds(3200));
  CHECK(am::RelayBackoff(6) == milliseconds(5000));
  CHECK(am::RelayBackoff(1000000) == milliseconds(5000));
  CHECK(am::RelayBackoff(0) == milliseconds(200));
}

TEST_CASE("rows become records with the same key and value, tombstones stay null") {
  std::vector<am::OutboxRow> rows = {{1, "app/a", std::string("x")}, {2, "app/a", std::nullopt}};
  auto records = am::RecordsOf(rows);
  REQUIRE(records.size() == 2);
  CHECK(records[0].key == "app/a");
  CHECK(records[0].value == std::optional<std::string>("x"));
  CHECK_FALSE(records[1].value.has_value());
}
