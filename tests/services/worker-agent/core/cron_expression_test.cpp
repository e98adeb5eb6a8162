#include <catch2/catch.hpp>

#include <ctime>

#include "worker-agent/core/cron_expression.h"

using namespace nebula::agent;

namespace {

// "YYYY-MM-DD HH:MM" UTC → unix seconds.
int64_t At(const char* text) {
  std::tm tm{};
  REQUIRE(std::sscanf(text, "%d-%d-%d %d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min) == 5);
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm));
}

int64_t Next(const char* expression, const char* after) {
  std::string error;
  auto cron = ParseCron(expression, &error);
  INFO(expression << ": " << error);
  REQUIRE(cron.has_value());
  auto next = NextRun(*cron, At(after));
  REQUIRE(next.has_value());
  return *next;
}

}  // namespace

TEST_CASE("cron: next run is the first matching minute strictly after", "[unit][cron]") {
  CHECK(Next("* * * * *", "2026-11-24 22:00") == At("2026-11-24 22:01"));
  CHECK(Next("*/15 * * * *", "2026-11-24 22:00") == At("2026-11-24 22:15"));
  CHECK(Next("5 3 * * *", "2026-11-24 22:00") == At("2026-11-25 03:05"));
  CHECK(Next("0 0 1 1 *", "2026-11-24 22:00") == At("2027-01-01 00:00"));
  CHECK(Next("@hourly", "2026-11-24 22:30") == At("2026-11-24 23:00"));
  CHECK(Next("@daily", "2026-11-24 22:30") == At("2026-11-25 00:00"));
  CHECK(Next("0 12 * * MON-FRI", "2026-11-27 13:00") == At("2026-11-30 12:00"));  // Fri → Mon
  CHECK(Next("0 0 * * 7", "2026-11-24 00:00") == At("2026-11-29 00:00"));         // 7 = Sunday
  CHECK(Next("0 0 29 2 *", "2026-03-01 00:00") == At("2028-02-29 00:00"));        // leap day
  CHECK(Next("30 9 1-7 JAN,jul *", "2026-11-24 00:00") == At("2027-01-01 09:30"));
  CHECK(Next("10-20/5 * * * *", "2026-11-24 22:12") == At("2026-11-24 22:15"));
  CHECK(Next("50/5 * * * *", "2026-11-24 22:51") == At("2026-11-24 22:55"));
}

TEST_CASE("cron: both day fields restricted means either", "[unit][cron]") {
  // The 13th, or any Friday: from Mon 2026-11-23, Fri 27th comes first; after that, Dec 4 (Fri).
  CHECK(Next("0 0 13 * 5", "2026-11-23 00:00") == At("2026-11-27 00:00"));
  CHECK(Next("0 0 13 * 5", "2026-12-05 00:00") == At("2026-12-11 00:00"));
  CHECK(Next("0 0 13 * 5", "2026-12-12 00:00") == At("2026-12-13 00:00"));
}

TEST_CASE("cron: bad expressions are refused, impossible dates have no next run", "[unit][cron]") {
  for (const char* bad : {"", "* * * *", "* * * * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "* * * 13 *",
                          "* * * * 8", "*/0 * * * *", "5-1 * * * *", "a * * * *", "* * * FOO *", "@often"}) {
    INFO(bad);
    std::string error;
    CHECK_FALSE(ParseCron(bad, &error).has_value());
    CHECK_FALSE(error.empty());
  }
  auto never = ParseCron("0 0 30 2 *");
  REQUIRE(never.has_value());
  CHECK_FALSE(NextRun(*never, At("2026-01-01 00:00")).has_value());
}
