// Five-field cron expressions (minute hour day-of-month month day-of-week) and their next run, in
// UTC: '*', numbers, ranges a-b, lists a,b, steps */n, a-b/n and a/n, names JAN-DEC and SUN-SAT,
// day-of-week 7 = Sunday, and @yearly @annually @monthly @weekly @daily @midnight @hourly. When
// both day fields are restricted a day matches if either matches (cron's rule). Pure.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nebula::agent {

struct CronExpression {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // 1..31
  std::bitset<13> months;         // 1..12
  std::bitset<7> days_of_week;    // 0 = Sunday
  bool day_of_month_restricted = false;
  bool day_of_week_restricted = false;
};

// nullopt and `error` set when the text is not a cron expression.
std::optional<CronExpression> ParseCron(std::string_view text, std::string* error = nullptr);

// The first minute strictly after `after` (unix seconds) that matches, in unix seconds; nullopt
// when none within 5 years (e.g. "0 0 30 2 *").
std::optional<int64_t> NextRun(const CronExpression& cron, int64_t after);

}  // namespace nebula::agent
