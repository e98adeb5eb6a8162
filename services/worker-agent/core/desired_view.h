// The agent's view of nebula.desired for its apps, built from records in partition order (BRIEF §5).
// A record is applied only if its generation is newer than the one held, so duplicates and old
// records (a re-read from the start) are harmless. A deleted envelope or a tombstone makes the app
// absent. "No record for an app I should run" means "run nothing" — but only once the initial read
// has caught up; before that the app is unknown and the agent must not touch its containers (that
// is how a restarted agent adopts them).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nebula/v1/app.pb.h"

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
  kApplied,     // the view changed
  kStale,       // generation not newer than the one held
  kNotMine,     // a key this agent does not follow
  kMalformed,   // undecodable value, or an envelope that contradicts its record key
};

std::string_view ToString(ApplyResult result);

class DesiredView {
 public:
  explicit DesiredView(std::vector<std::string> apps);

  // Applies one record of nebula.desired; value is nullopt for a tombstone.
  ApplyResult Apply(std::string_view key, const std::optional<std::string>& value);

  // Called once the reader reached the end of every partition as it was at start.
  void MarkCaughtUp() { caught_up_ = true; }
  bool caught_up() const { return caught_up_; }

  const std::vector<std::string>& apps() const { return apps_; }
  bool Follows(std::string_view app) const;
  AppDesire Desire(std::string_view app) const;

 private:
  struct Held {
    bool present = false;  // false: deleted / tombstoned
    int64_t generation = 0;
    v1::AppSpec spec;
  };

  std::vector<std::string> apps_;
  std::map<std::string, Held, std::less<>> held_;  // by app name; only apps that had a record
  bool caught_up_ = false;
};

}  // namespace nebula::agent
