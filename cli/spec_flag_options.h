// The spec flags of `apps create|update|patch` and `cron-jobs create|update` as CLI11 options, and
// their raw values → SpecFlags (spec_flags.h) for the pure parser. Shell.
#pragma once

#include <CLI/CLI.hpp>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "spec_flags.h"

namespace nebula::cli {

// Raw spec flag values as CLI11 collects them; ToSpecFlags keeps only the flags actually given.
struct SpecFlagValues {
  std::string image, containers, containers_per, pull, restart_policy, cpus, memory, max_unavailable, min_ready_seconds;
  std::vector<std::string> ports, env, volumes, devices, networks, command, args, labels, clear;
  bool flag_true = false;  // storage for the on/off switches; their counts are what matter
  std::map<std::string, CLI::Option*> options;

  bool Given(const std::string& name) const {
    auto it = options.find(name);
    return it != options.end() && it->second->count() > 0;
  }
  std::optional<std::string> Str(const std::string& name, const std::string& value) const {
    return Given(name) ? std::optional(value) : std::nullopt;
  }
  std::optional<std::vector<std::string>> List(const std::string& name, const std::vector<std::string>& value) const {
    return Given(name) ? std::optional(value) : std::nullopt;
  }
  std::optional<bool> Switch(const std::string& on, const std::string& off) const {
    if (Given(on)) return true;
    if (Given(off)) return false;
    return std::nullopt;
  }
};

// update: adds --clear and says that list flags replace the field. cron_job: only the flags a
// CronJobSpec has (no ports, labels, container counts, restart policy or update strategy).
void AddSpecFlags(CLI::App* cmd, SpecFlagValues* v, bool update, bool cron_job = false);
SpecFlags ToSpecFlags(const SpecFlagValues& v);
// A flag value that does not parse is a usage error (exit 1, nothing sent), like any other bad flag.
SpecChange ParseSpecFlags(const SpecFlagValues& values);

}  // namespace nebula::cli
