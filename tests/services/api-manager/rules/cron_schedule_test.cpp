// The five-field cron parser: every field's range, lists, ranges, steps, names, macros, and the
// violation each mistake produces.
#include "api-manager/rules/cron_schedule.h"

#include <catch2/catch.hpp>

namespace am = nebula::api_manager;

namespace {

am::CronSchedule Parse(const std::string& expression) {
  am::CronParseResult result = am::ParseCronSchedule(expression, "cron_job.schedule");
  INFO(expression << ": " << (result.violations.empty() ? "" : result.violations[0].description));
  REQUIRE(result.violations.empty());
  REQUIRE(result.schedule.has_value());
  return *result.schedule;
}

// The one violation of a bad expression (its description).
std::string Problem(const std::string& expression) {
  am::CronParseResult result = am::ParseCronSchedule(expression, "cron_job.schedule");
  INFO(expression);
  REQUIRE_FALSE(result.schedule.has_value());
  REQUIRE(result.violations.size() >= 1);
  CHECK(result.violations[0].field == "cron_job.schedule");
  return result.violations[0].description;
}

template <size_t N>
std::vector<int> Set(const std::bitset<N>& bits) {
  std::vector<int> out;
  for (size_t i = 0; i < N; ++i)
    if (bits[i]) out.push_back(int(i));
  return out;
}

}  // namespace

TEST_CASE("cron: stars select every value of every field") {
  auto s = Parse("* * * * *");
  CHECK(s.minutes.count() == 60);
  CHECK(s.hours.count() == 24);
  CHECK(Set(s.days_of_month).front() == 1);
  CHECK(s.days_of_month.count() == 31);
  CHECK(s.months.count() == 12);
  CHECK_FALSE(s.months[0]);
  CHECK(s.days_of_week.count() == 7);
  CHECK_FALSE(s.day_of_month_restricted);
  CHECK_FALSE(s.day_of_week_restricted);
}

TEST_CASE("cron: single values at both ends of each range") {
  auto low = Parse("0 0 1 1 0");
  CHECK(Set(low.minutes) == std::vector<int>{0});
  CHECK(Set(low.hours) == std::vector<int>{0});
  CHECK(Set(low.days_of_month) == std::vector<int>{1});
  CHECK(Set(low.months) == std::vector<int>{1});
  CHECK(Set(low.days_of_week) == std::vector<int>{0});
  auto high = Parse("59 23 31 12 6");
  CHECK(Set(high.minutes) == std::vector<int>{59});
  CHECK(Set(high.hours) == std::vector<int>{23});
  CHECK(Set(high.days_of_month) == std::vector<int>{31});
  CHECK(Set(high.months) == std::vector<int>{12});
  CHECK(Set(high.days_of_week) == std::vector<int>{6});
  CHECK(high.day_of_month_restricted);
  CHECK(high.day_of_week_restricted);
}

TEST_CASE("cron: day-of-week 7 is Sunday") {
  CHECK(Set(Parse("0 0 * * 7").days_of_week) == std::vector<int>{0});
  CHECK(Set(Parse("0 0 * * 5-7").days_of_week) == std::vector<int>{0, 5, 6});
}

TEST_CASE("cron: lists ranges and steps") {
  CHECK(Set(Parse("1,2,30 * * * *").minutes) == std::vector<int>{1, 2, 30});
  CHECK(Set(Parse("10-13 * * * *").minutes) == std::vector<int>{10, 11, 12, 13});
  CHECK(Set(Parse("*/15 * * * *").minutes) == std::vector<int>{0, 15, 30, 45});
  CHECK(Set(Parse("0 8-18/5 * * *").hours) == std::vector<int>{8, 13, 18});
  CHECK(Set(Parse("50/3 * * * *").minutes) == std::vector<int>{50, 53, 56, 59});
  CHECK(Set(Parse("0 0 */10 * *").days_of_month) == std::vector<int>{1, 11, 21, 31});
  CHECK(Set(Parse("0 0 1 */4 *").months) == std::vector<int>{1, 5, 9});
  CHECK(Set(Parse("1-3,7,50-59/5 * * * *").minutes) == std::vector<int>{1, 2, 3, 7, 50, 55});
  CHECK(Set(Parse("5-5 * * * *").minutes) == std::vector<int>{5});
  CHECK(Set(Parse("*/60 * * * *").minutes) == std::vector<int>{0});
  CHECK(Set(Parse("*/1 * * * *").minutes).size() == 60);
}

TEST_CASE("cron: month and day names in any case") {
  CHECK(Set(Parse("0 0 1 JAN,jun,Dec *").months) == std::vector<int>{1, 6, 12});
  CHECK(Set(Parse("0 0 1 feb-apr *").months) == std::vector<int>{2, 3, 4});
  CHECK(Set(Parse("0 0 * * MON-FRI").days_of_week) == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(Set(Parse("0 0 * * sun,Sat").days_of_week) == std::vector<int>{0, 6});
  CHECK(Set(Parse("0 0 * * mon-fri/2").days_of_week) == std::vector<int>{1, 3, 5});
}

TEST_CASE("cron: whitespace between fields may be spaces or tabs and repeat") {
  CHECK(Parse("  0\t0   * *  *  ") == Parse("0 0 * * *"));
}

TEST_CASE("cron: macros expand to their five-field form") {
  CHECK(Parse("@hourly") == Parse("0 * * * *"));
  CHECK(Parse("@daily") == Parse("0 0 * * *"));
  CHECK(Parse("@midnight") == Parse("0 0 * * *"));
  CHECK(Parse("@weekly") == Parse("0 0 * * 0"));
  CHECK(Parse("@monthly") == Parse("0 0 1 * *"));
  CHECK(Parse("@yearly") == Parse("0 0 1 1 *"));
  CHECK(Parse("@annually") == Parse("0 0 1 1 *"));
  CHECK_THAT(Problem("@reboot"), Catch::Contains("unknown macro"));
  CHECK_THAT(Problem("@every 5m"), Catch::Contains("@hourly"));
}

TEST_CASE("cron: the number of fields must be five") {
  CHECK_THAT(Problem(""), Catch::Contains("5 fields") && Catch::Contains("required"));
  CHECK_THAT(Problem("   "), Catch::Contains("got 0"));
  CHECK_THAT(Problem("* * * *"), Catch::Contains("got 4"));
  CHECK_THAT(Problem("0 * * * * *"), Catch::Contains("got 6"));
}

TEST_CASE("cron: out-of-range values name the field and its range") {
  CHECK_THAT(Problem("60 * * * *"), Catch::Contains("minute field") && Catch::Contains("0-59"));
  CHECK_THAT(Problem("* 24 * * *"), Catch::Contains("hour field") && Catch::Contains("0-23"));
  CHECK_THAT(Problem("* * 0 * *"), Catch::Contains("day-of-month field") && Catch::Contains("1-31"));
  CHECK_THAT(Problem("* * 32 * *"), Catch::Contains("day-of-month"));
  CHECK_THAT(Problem("* * * 0 *"), Catch::Contains("month field") && Catch::Contains("JAN-DEC"));
  CHECK_THAT(Problem("* * * 13 *"), Catch::Contains("month field"));
  CHECK_THAT(Problem("* * * * 8"), Catch::Contains("day-of-week field") && Catch::Contains("SUN-SAT"));
  CHECK_THAT(Problem("1-60 * * * *"), Catch::Contains("60 is out of range"));
}

TEST_CASE("cron: malformed items are refused with the reason") {
  CHECK_THAT(Problem("a * * * *"), Catch::Contains("not a number"));
  CHECK_THAT(Problem("-1 * * * *"), Catch::Contains("out of range"));
  CHECK_THAT(Problem("1,,2 * * * *"), Catch::Contains("empty list item"));
  CHECK_THAT(Problem("1, * * * *"), Catch::Contains("empty list item"));
  CHECK_THAT(Problem("5-1 * * * *"), Catch::Contains("backwards"));
  CHECK_THAT(Problem("*/0 * * * *"), Catch::Contains("step"));
  CHECK_THAT(Problem("*/61 * * * *"), Catch::Contains("1 to 60"));
  CHECK_THAT(Problem("*/ * * * *"), Catch::Contains("step"));
  CHECK_THAT(Problem("*/x * * * *"), Catch::Contains("step"));
  CHECK_THAT(Problem("1-2-3 * * * *"), Catch::Contains("not a number"));
  CHECK_THAT(Problem("* * * * MONDAY"), Catch::Contains("not a number or name"));
  CHECK_THAT(Problem("JAN * * * *"), Catch::Contains("minute field"));  // names only where they belong
  CHECK_THAT(Problem("* * * * JAN"), Catch::Contains("day-of-week"));
  CHECK_THAT(Problem("** * * * *"), Catch::Contains("minute field"));
  CHECK_THAT(Problem("1.5 * * * *"), Catch::Contains("not a number"));
}

TEST_CASE("cron: every bad field is reported and not only the first") {
  am::CronParseResult result = am::ParseCronSchedule("61 25 * * *", "schedule");
  REQUIRE(result.violations.size() == 2);
  CHECK_THAT(result.violations[0].description, Catch::Contains("minute"));
  CHECK_THAT(result.violations[1].description, Catch::Contains("hour"));
  CHECK(result.violations[1].field == "schedule");
}

TEST_CASE("cron: over-long and non-printable input is refused without echoing it raw") {
  CHECK_THAT(Problem(std::string(300, '*')), Catch::Contains("at most 256"));
  std::string problem = Problem(std::string("\x01\xff * * * *", 11));
  CHECK(problem.find('\x01') == std::string::npos);
}
