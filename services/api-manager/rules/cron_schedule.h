// Five-field cron expressions (minute hour day-of-month month day-of-week), the dialect of Vixie
// cron / cronie: '*', numbers, ranges "a-b", lists "a,b", steps "*/n", "a-b/n" and "a/n" (= a-max/n),
// month names JAN-DEC and day names SUN-SAT (any case), day-of-week 7 = Sunday, and the macros
// @yearly @annually @monthly @weekly @daily @midnight @hourly. Pure: the api-manager validates with
// it, agents can evaluate with it.
#pragma once

#include <bitset>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace nebula::api_manager {

inline constexpr size_t kMaxCronExpressionLength = 256;

struct CronSchedule {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days_of_month;  // bits 1..31
  std::bitset<13> months;         // bits 1..12
  std::bitset<7> days_of_week;    // 0 = Sunday
  // Cron's rule: when both day fields are restricted (not '*'), a day matches if EITHER matches.
  bool day_of_month_restricted = false;
  bool day_of_week_restricted = false;

  bool operator==(const CronSchedule&) const = default;
};

struct CronParseResult {
  std::optional<CronSchedule> schedule;    // set iff violations is empty
  std::vector<FieldViolation> violations;  // field = the given field; the description names the cron field
};

// field names the expression in violations, e.g. "cron_job.schedule".
CronParseResult ParseCronSchedule(std::string_view expression, std::string_view field);

}  // namespace nebula::api_manager
