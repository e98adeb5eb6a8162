#include "api-manager/rules/cron_schedule.h"

#include <array>
#include <cctype>
#include <charconv>

#include "common/validation.h"

namespace nebula::api_manager {
namespace {

struct FieldRule {
  const char* name;
  int min;
  int max;
  const std::array<std::string_view, 13>* names;  // index = value; empty entries unused
};

constexpr std::array<std::string_view, 13> kMonthNames = {"",    "JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                                          "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr std::array<std::string_view, 13> kDayNames = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT",
                                                        "",    "",    "",    "",    "",    ""};

const std::array<FieldRule, 5> kRules = {{
    {"minute", 0, 59, nullptr},
    {"hour", 0, 23, nullptr},
    {"day-of-month", 1, 31, nullptr},
    {"month", 1, 12, &kMonthNames},
    {"day-of-week", 0, 7, &kDayNames},  // 7 = Sunday again
}};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Allowed(const FieldRule& rule) {
  std::string out = std::to_string(rule.min) + "-" + std::to_string(rule.max);
  if (rule.names == &kMonthNames) out += " or JAN-DEC";
  if (rule.names == &kDayNames) out += " (0 and 7 are Sunday) or SUN-SAT";
  return out;
}

// A number or a name of the field; the error says what the field allows.
std::optional<int> Value(std::string_view text, const FieldRule& rule, std::string& problem) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (!text.empty() && ec == std::errc() && end == text.data() + text.size()) {
    if (value < rule.min || value > rule.max) {
      problem = std::to_string(value) + " is out of range; allowed: " + Allowed(rule);
      return std::nullopt;
    }
    return value;
  }
  if (rule.names && !text.empty()) {
    std::string upper = Upper(text);
    for (size_t i = 0; i < rule.names->size(); ++i)
      if (!(*rule.names)[i].empty() && (*rule.names)[i] == upper) return static_cast<int>(i);
  }
  problem = QuoteForMessage(text) + " is not a number" + (rule.names ? " or name" : "") + "; allowed: " + Allowed(rule);
  return std::nullopt;
}

// One comma-separated item: "*", "v", "a-b", each optionally "/step". Sets bits; false + problem if bad.
bool ApplyItem(std::string_view item, const FieldRule& rule, std::vector<bool>& bits, std::string& problem) {
  if (item.empty()) {
    problem = "empty list item (two commas in a row, or a trailing comma)";
    return false;
  }
  int step = 1;
  bool has_step = false;
  if (size_t slash = item.find('/'); slash != std::string_view::npos) {
    std::string_view step_text = item.substr(slash + 1);
    item = item.substr(0, slash);
    const int span = rule.max - rule.min + 1;
    auto [end, ec] = std::from_chars(step_text.data(), step_text.data() + step_text.size(), step);
    if (step_text.empty() || ec != std::errc() || end != step_text.data() + step_text.size() || step < 1 ||
        step > span) {
      problem = "step " + QuoteForMessage(step_text) + " must be a whole number from 1 to " + std::to_string(span);
      return false;
    }
    has_step = true;
  }
  int low = rule.min;
  int high = rule.max;
  if (item != "*") {
    size_t dash = item.find('-', 1);  // not at 0: "-5" is a bad number, not a range
    auto first = Value(item.substr(0, dash), rule, problem);
    if (!first) return false;
    low = *first;
    if (dash != std::string_view::npos) {
      auto last = Value(item.substr(dash + 1), rule, problem);
      if (!last) return false;
      high = *last;
      if (high < low) {
        problem = "range " + QuoteForMessage(item) + " runs backwards; write the smaller value first";
        return false;
      }
    } else if (!has_step) {
      high = low;  // a single value; "a/n" keeps high = max
    }
  }
  for (int v = low; v <= high; v += step) bits[static_cast<size_t>(v)] = true;
  return true;
}

std::optional<std::string_view> Macro(std::string_view expression) {
  static const std::array<std::pair<std::string_view, std::string_view>, 7> kMacros = {{
      {"@yearly", "0 0 1 1 *"},
      {"@annually", "0 0 1 1 *"},
      {"@monthly", "0 0 1 * *"},
      {"@weekly", "0 0 * * 0"},
      {"@daily", "0 0 * * *"},
      {"@midnight", "0 0 * * *"},
      {"@hourly", "0 * * * *"},
  }};
  for (const auto& [name, expansion] : kMacros)
    if (expression == name) return expansion;
  return std::nullopt;
}

std::vector<std::string_view> SplitFields(std::string_view text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) fields.push_back(text.substr(start, i - start));
  }
  return fields;
}

}  // namespace

CronParseResult ParseCronSchedule(std::string_view expression, std::string_view field) {
  CronParseResult result;
  const std::string f(field);
  auto fail = [&](std::string description) { result.violations.push_back({f, std::move(description)}); };
  if (expression.size() > kMaxCronExpressionLength) {
    fail("schedule is " + std::to_string(expression.size()) + " characters long; at most " +
         std::to_string(kMaxCronExpressionLength) + " are allowed");
    return result;
  }
  if (!expression.empty() && expression.front() == '@') {
    auto expansion = Macro(expression);
    if (!expansion) {
      fail("unknown macro " + QuoteForMessage(expression) +
           "; allowed: @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly");
      return result;
    }
    return ParseCronSchedule(*expansion, field);
  }
  std::vector<std::string_view> parts = SplitFields(expression);
  if (parts.size() != 5) {
    fail("a schedule has 5 fields (minute hour day-of-month month day-of-week, e.g. \"*/5 * * * *\"); got " +
         std::to_string(parts.size()) +
         (expression.empty() ? " (it is required)" : " in " + QuoteForMessage(expression)));
    return result;
  }
  std::array<std::vector<bool>, 5> bits;
  for (size_t i = 0; i < 5; ++i) {
    const FieldRule& rule = kRules[i];
    bits[i].assign(static_cast<size_t>(rule.max) + 1, false);
    std::string_view rest = parts[i];
    while (true) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      std::string problem;
      if (!ApplyItem(item, rule, bits[i], problem)) {
        fail(std::string(rule.name) + " field " + QuoteForMessage(parts[i]) + ": " + problem);
        break;
      }
      if (comma == std::string_view::npos) break;
      rest = rest.substr(comma + 1);
    }
  }
  if (!result.violations.empty()) return result;

  CronSchedule schedule;
  for (size_t v = 0; v < 60; ++v) schedule.minutes[v] = bits[0][v];
  for (size_t v = 0; v < 24; ++v) schedule.hours[v] = bits[1][v];
  for (size_t v = 1; v <= 31; ++v) schedule.days_of_month[v] = bits[2][v];
  for (size_t v = 1; v <= 12; ++v) schedule.months[v] = bits[3][v];
  for (size_t v = 0; v <= 7; ++v)
    if (bits[4][v]) schedule.days_of_week[v % 7] = true;
  schedule.day_of_month_restricted = parts[2].front() != '*';
  schedule.day_of_week_restricted = parts[4].front() != '*';
  result.schedule = schedule;
  return result;
}

}  // namespace nebula::api_manager
