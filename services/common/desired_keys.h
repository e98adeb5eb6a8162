// Record keys of topic nebula.desired (docs/architecture.md "Components"). Producers and agents must agree on them,
// since the key decides the partition.
#pragma once

#include <string>
#include <string_view>

namespace nebula {

inline constexpr std::string_view kDesiredTopic = "nebula.desired";
inline constexpr std::string_view kReportsTopic = "nebula.reports";

inline std::string AppKey(std::string_view app) { return "app/" + std::string(app); }
inline std::string DeviceGroupKey(std::string_view group) { return "group/" + std::string(group); }
inline std::string CronJobKey(std::string_view job) { return "cron/" + std::string(job); }
inline constexpr std::string_view kGlobalKey = "global";

}  // namespace nebula
