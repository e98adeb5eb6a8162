#include "api-manager/rules/migration_plan.h"

#include <catch2/catch.hpp>

#include "common/error.h"

namespace am = nebula::api_manager;

namespace {

std::vector<am::Migration> Embedded() {
  return {{1, "0001_initial", "CREATE TABLE a ();"},
          {2, "0002_more", "CREATE TABLE b ();"},
          {3, "0003_most", "CREATE TABLE c ();"}};
}

am::AppliedMigration Applied(const am::Migration& m) { return {m.version, m.name, am::MigrationChecksum(m.sql)}; }

std::vector<int> Versions(const am::MigrationPlan& plan) {
  std::vector<int> v;
  for (const auto& m : plan.to_apply) v.push_back(m.version);
  return v;
}

}  // namespace

TEST_CASE("a new database gets every migration in order") {
  auto embedded = Embedded();
  std::swap(embedded[0], embedded[2]);
  auto plan = am::PlanMigrations(embedded, {});
  CHECK(Versions(plan) == std::vector<int>{1, 2, 3});
  CHECK(plan.warnings.empty());
}

TEST_CASE("only missing migrations are applied") {
  auto embedded = Embedded();
  CHECK(Versions(am::PlanMigrations(embedded, {Applied(embedded[0])})) == std::vector<int>{2, 3});
  CHECK(Versions(am::PlanMigrations(embedded, {Applied(embedded[0]), Applied(embedded[2])})) == std::vector<int>{2});
  CHECK(am::PlanMigrations(embedded, {Applied(embedded[0]), Applied(embedded[1]), Applied(embedded[2])})
            .to_apply.empty());
}

TEST_CASE("an edited applied migration stops the start-up") {
  auto embedded = Embedded();
  am::AppliedMigration edited = Applied(embedded[0]);
  edited.checksum = am::MigrationChecksum("CREATE TABLE a (x int);");
  try {
    am::PlanMigrations(embedded, {edited});
    FAIL("accepted an edited migration");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == nebula::ErrorCode::kFailedPrecondition);
    CHECK(std::string(e.what()).find("0001_initial") != std::string::npos);
    CHECK(std::string(e.what()).find("add a new one") != std::string::npos);
  }
}

TEST_CASE("a database newer than the binary is a warning") {
  auto embedded = Embedded();
  std::vector<am::AppliedMigration> applied = {Applied(embedded[0]), {9, "0009_future", "abc"}};
  auto plan = am::PlanMigrations(embedded, applied);
  CHECK(Versions(plan) == std::vector<int>{2, 3});
  REQUIRE(plan.warnings.size() == 1);
  CHECK(plan.warnings[0].find("0009_future") != std::string::npos);
}

TEST_CASE("checksums are stable FNV-1a 64") {
  CHECK(am::MigrationChecksum("") == "cbf29ce484222325");
  CHECK(am::MigrationChecksum("a") == "af63dc4c8601ec8c");
  CHECK(am::MigrationChecksum("a") != am::MigrationChecksum("b"));
}

TEST_CASE("the embedded migrations are numbered 1, 2, 3, ... and carry the schema") {
  const auto& embedded = am::EmbeddedMigrations();
  REQUIRE_FALSE(embedded.empty());
  for (size_t i = 0; i < embedded.size(); ++i) {
    CHECK(embedded[i].version == int(i) + 1);
    char prefix[8];
    std::snprintf(prefix, sizeof prefix, "%04d_", embedded[i].version);
    CHECK(embedded[i].name.rfind(prefix, 0) == 0);
    CHECK_FALSE(embedded[i].sql.empty());
  }
  CHECK(embedded[0].name == "0001_initial");
  for (const char* table : {"CREATE TABLE apps", "CREATE TABLE app_revisions", "CREATE TABLE outbox"})
    CHECK(embedded[0].sql.find(table) != std::string::npos);
}
