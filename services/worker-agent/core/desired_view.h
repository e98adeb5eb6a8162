// The agent's view of nebula.desired for its apps, built from records in partition order (docs/architecture.md
// "Agent"). A record is applied only if its generation is newer than the one held, so duplicates and old records (a
// re-read from the start) are harmless. A deleted envelope or a tombstone makes the app absent. "No record for an app I
// should run" means "run nothing" — but only once the initial read has caught up; before that the app is unknown and
// the agent must not touch its containers (that is how a restarted agent adopts them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nebula/v1/app.pb.h"
#include "nebula/v1/cron_job.pb.h"
#include "nebula/v1/device_group.pb.h"

namespace nebula::agent {

enum class DesireKind {
  kUnknown,  // nothing read yet and the initial read has not caught up: leave the app alone
  kAbsent,   // deleted, never created, or no record after catching up: run nothing
  kPresent,  // run `spec` (which may still say running=false)
};

struct AppDesire {
  DesireKind kind = DesireKind::kUnknown;
  int64_t generation = 0;  // newest generation read (kept across a delete)
  v1::AppSpec spec;        // meaningful when kind == kPresent
};

enum class ApplyResult {
  kApplied,    // the view changed
  kStale,      // generation not newer than the one held
  kNotMine,    // a key this agent does not follow
  kMalformed,  // undecodable value, or an envelope that contradicts its record key
};

std::string_view ToString(ApplyResult result);

struct CronDesire {
  std::string name;
  int64_t generation = 0;
  v1::CronJob job;  // schedule, spec, running
};

// Device-group mode (--device-group g): the app and cron-job lists come from "group/<g>" and may
// change at any time; apps that leave the list are removed like any app not in the list. Both modes
// follow "global" (prune generation).
class DesiredView {
 public:
  explicit DesiredView(std::vector<std::string> apps);
  static DesiredView ForGroup(std::string group);

  // Applies one record of nebula.desired; value is nullopt for a tombstone.
  ApplyResult Apply(std::string_view key, const std::optional<std::string>& value);

  // Called once the reader reached the end of every partition as it was at start.
  void MarkCaughtUp() { caught_up_ = true; }
  bool caught_up() const { return caught_up_; }

  // The apps to run: the fixed list, or the group's current list (empty until the group was read).
  const std::vector<std::string>& apps() const { return group_ ? group_apps_ : apps_; }
  bool Follows(std::string_view app) const;
  AppDesire Desire(std::string_view app) const;

  const std::optional<std::string>& group() const { return group_; }
  int64_t group_generation() const { return group_generation_; }
  int64_t group_prune_generation() const { return group_prune_generation_; }
  int64_t global_prune_generation() const { return global_prune_generation_; }
  // The group's cron jobs that have a record (in the group's order); names without a record yet are
  // left out (nothing to run).
  std::vector<CronDesire> CronJobs() const;
  const std::vector<std::string>& cron_job_names() const { return group_cron_jobs_; }
  // The record keys the reader must follow for this view now (grows with the group's lists).
  std::vector<std::string> Keys() const;

 private:
  ApplyResult ApplyGroup(const std::optional<std::string>& value);
  ApplyResult ApplyGlobal(const std::optional<std::string>& value);
  ApplyResult ApplyCron(std::string_view key, std::string_view name, const std::optional<std::string>& value);

  struct Held {
    bool present = false;  // false: deleted / tombstoned
    int64_t generation = 0;
    v1::AppSpec spec;
  };

  std::vector<std::string> apps_;
  std::map<std::string, Held, std::less<>> held_;  // by app name; only apps that had a record
  bool caught_up_ = false;

  std::optional<std::string> group_;
  int64_t group_generation_ = 0;
  int64_t group_prune_generation_ = 0;
  std::vector<std::string> group_apps_;
  std::vector<std::string> group_cron_jobs_;
  int64_t global_generation_ = 0;
  int64_t global_prune_generation_ = 0;
  struct HeldCron {
    bool present = false;
    int64_t generation = 0;
    v1::CronJob job;
  };
  std::map<std::string, HeldCron, std::less<>> crons_;
};

}  // namespace nebula::agent
