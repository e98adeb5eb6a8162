#include "api-manager/rules/desired_records.h"

#include <catch2/catch.hpp>

#include "nebula/v1/desired_state.pb.h"

namespace am = nebula::api_manager;

namespace {

nebula::v1::DesiredState Parse(const std::optional<std::string>& payload) {
  REQUIRE(payload.has_value());
  nebula::v1::DesiredState state;
  REQUIRE(state.ParseFromString(*payload));
  return state;
}

}  // namespace

TEST_CASE("a change is one record with the whole app at its generation") {
  nebula::v1::App app;
  app.set_name("web");
  app.set_generation(7);
  app.mutable_spec()->set_image("nginx");
  app.mutable_update_time()->set_seconds(1700000000);
  auto records = am::RecordsForAppChange(app);
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "app/web");
  auto state = Parse(records[0].payload);
  CHECK(state.key() == "app/web");
  CHECK(state.generation() == 7);
  CHECK_FALSE(state.deleted());
  CHECK(state.commit_time().seconds() == 1700000000);
  CHECK(state.app().SerializeAsString() == app.SerializeAsString());
}

TEST_CASE("a deletion is a deleted envelope, then a tombstone") {
  google::protobuf::Timestamp time;
  time.set_seconds(1700000001);
  auto records = am::RecordsForAppDeletion("web", 9, time);
  REQUIRE(records.size() == 2);
  CHECK(records[0].key == "app/web");
  auto state = Parse(records[0].payload);
  CHECK(state.deleted());
  CHECK(state.generation() == 9);
  CHECK(state.app().name() == "web");
  CHECK(state.app().generation() == 9);
  CHECK(state.commit_time().seconds() == 1700000001);
  CHECK(records[1].key == "app/web");
  CHECK_FALSE(records[1].payload.has_value());
}

TEST_CASE("serialization does not depend on map insertion order") {
  nebula::v1::AppSpec a;
  nebula::v1::AppSpec b;
  for (int i = 0; i < 50; ++i) (*a.mutable_env())["K" + std::to_string(i)] = "v";
  for (int i = 49; i >= 0; --i) (*b.mutable_env())["K" + std::to_string(i)] = "v";
  CHECK(am::SerializeDeterministic(a) == am::SerializeDeterministic(b));
}
