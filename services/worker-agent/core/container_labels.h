// The labels that make a container Nebula's (contracts: "Container labels set by the agent"). They are
// the container's identity; its name is only for humans and never parsed.
#pragma once

#include <string_view>

namespace nebula::agent {

inline constexpr std::string_view kLabelManagedBy = "dev.nebula.managed-by";
inline constexpr std::string_view kManagedByValue = "nebula";
inline constexpr std::string_view kLabelWorker = "dev.nebula.worker";
inline constexpr std::string_view kLabelApp = "dev.nebula.app";
inline constexpr std::string_view kLabelGeneration = "dev.nebula.generation";
inline constexpr std::string_view kLabelIndex = "dev.nebula.index";
inline constexpr std::string_view kLabelConfigHash = "dev.nebula.config-hash";
// Cron-job runs (device-group mode) carry these instead of app and index.
inline constexpr std::string_view kLabelCron = "dev.nebula.cron";
inline constexpr std::string_view kLabelCronRun = "dev.nebula.cron-run";  // scheduled unix time
// Users may not set labels under this prefix; the agent drops them from AppSpec.labels.
inline constexpr std::string_view kReservedLabelPrefix = "dev.nebula.";

}  // namespace nebula::agent
