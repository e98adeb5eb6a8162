#include "worker-agent/core/cron_expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <vector>

namespace nebula::agent {

namespace {

struct FieldRange {
  int min;
  int max;
  const char* const* names;  // names[i] means min + i; nullptr when the field has none
  int name_count;
};

constexpr const char* kMonths[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDays[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t at = text.find(separator, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

std::optional<int> Value(std::string_view text, const FieldRange& range) {
  if (text.empty()) return std::nullopt;
  if (range.names && std::isalpha(static_cast<unsigned char>(text[0]))) {
    std::string upper(text);
    for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    for (int i = 0; i < range.name_count; ++i) {
      if (upper == range.names[i]) return range.min + i;
    }
    return std::nullopt;
  }
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  return value;
}

// Sets bits [min, max] of one field; day-of-week accepts 7 for Sunday.
template <size_t N>
bool ParseField(std::string_view text, FieldRange range, std::bitset<N>& bits, bool& restricted, bool sunday7) {
  restricted = text != "*" && text != "?";
  const int top = sunday7 ? 7 : range.max;
  for (auto item : Split(text, ',')) {
    int step = 1;
    bool has_step = false;
    if (auto slash = item.find('/'); slash != std::string_view::npos) {
      auto s = Value(item.substr(slash + 1), FieldRange{1, 1000, nullptr, 0});
      if (!s || *s <= 0) return false;
      step = *s;
      has_step = true;
      item = item.substr(0, slash);
    }
    int low, high;
    if (item == "*" || item == "?") {
      low = range.min;
      high = range.max;
    } else if (auto dash = item.find('-'); dash != std::string_view::npos) {
      auto a = Value(item.substr(0, dash), range), b = Value(item.substr(dash + 1), range);
      if (!a || !b) return false;
      low = *a;
      high = *b;
    } else {
      auto a = Value(item, range);
      if (!a) return false;
      low = *a;
      high = has_step ? range.max : *a;  // "a/n" = a-max/n
    }
    if (low < range.min || high > top || low > high) return false;
    for (int v = low; v <= high; v += step) bits.set(static_cast<size_t>(sunday7 && v == 7 ? 0 : v));
  }
  return true;
}

std::string_view Macro(std::string_view text) {
  if (text == "@yearly" || text == "@annually") return "0 0 1 1 *";
  if (text == "@monthly") return "0 0 1 * *";
  if (text == "@weekly") return "0 0 * * 0";
  if (text == "@daily" || text == "@midnight") return "0 0 * * *";
  if (text == "@hourly") return "0 * * * *";
  return text;
}

}  // namespace

std::optional<CronExpression> ParseCron(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<CronExpression> {
    if (error) *error = why;
    return std::nullopt;
  };
  if (text.size() > 256) return fail("longer than 256 characters");
  text = Macro(text);
  std::vector<std::string_view> fields;
  for (auto f : Split(text, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) return fail("expected 5 fields (minute hour day-of-month month day-of-week)");
  CronExpression cron;
  bool unused = false;
  if (!ParseField(fields[0], {0, 59, nullptr, 0}, cron.minutes, unused, false)) return fail("bad minute field");
  if (!ParseField(fields[1], {0, 23, nullptr, 0}, cron.hours, unused, false)) return fail("bad hour field");
  if (!ParseField(fields[2], {1, 31, nullptr, 0}, cron.days_of_month, cron.day_of_month_restricted, false)) {
    return fail("bad day-of-month field");
  }
  if (!ParseField(fields[3], {1, 12, kMonths, 12}, cron.months, unused, false)) return fail("bad month field");
  if (!ParseField(fields[4], {0, 6, kDays, 7}, cron.days_of_week, cron.day_of_week_restricted, true)) {
    return fail("bad day-of-week field");
  }
  return cron;
}

std::optional<int64_t> NextRun(const CronExpression& cron, int64_t after) {
  // Minute by minute would be up to 2.6M steps for a yearly job; skip whole days and hours instead.
  int64_t t = (after / 60 + 1) * 60;
  const int64_t limit = after + int64_t{5} * 366 * 24 * 3600;
  while (t <= limit) {
    const std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    const bool dom = cron.days_of_month.test(static_cast<size_t>(tm.tm_mday));
    const bool dow = cron.days_of_week.test(static_cast<size_t>(tm.tm_wday));
    const bool day = cron.day_of_month_restricted && cron.day_of_week_restricted ? (dom || dow)
                     : cron.day_of_month_restricted                              ? dom
                     : cron.day_of_week_restricted                               ? dow
                                                                                 : true;
    if (!cron.months.test(static_cast<size_t>(tm.tm_mon + 1)) || !day) {
      t += int64_t{24 * 3600} - (tm.tm_hour * 3600 + tm.tm_min * 60);  // next midnight
      continue;
    }
    if (!cron.hours.test(static_cast<size_t>(tm.tm_hour))) {
      t += 3600 - tm.tm_min * 60;  // next full hour
      continue;
    }
    if (!cron.minutes.test(static_cast<size_t>(tm.tm_min))) {
      t += 60;
      continue;
    }
    return t;
  }
  return std::nullopt;
}

}  // namespace nebula::agent
