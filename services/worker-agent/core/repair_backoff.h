// Backoff between repairs of one slot (the caller's key: an app's container index), so a container that dies as soon as
// it starts is recreated once per step (1 s, 2 s, 4 s, … up to a cap) instead of in a hot loop, while a container
// killed by hand after a quiet period is put back at once. Pure: the caller passes the time.
//
// An app that needed no action for `stable` since its last repair starts over at "at once"; a new
// desired generation does too (the user changed something, so this is not the same crash loop).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nebula::agent {

struct RepairBackoffOptions {
  std::chrono::milliseconds min{std::chrono::seconds(1)};
  std::chrono::milliseconds max{std::chrono::seconds(60)};
  std::chrono::milliseconds stable{std::chrono::seconds(10)};
};

class RepairBackoff {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit RepairBackoff(RepairBackoffOptions options = {}) : options_(options) {}

  // When the app, needing action at `generation`, may act next (<= now: at once).
  TimePoint NextAllowed(const std::string& app, int64_t generation, TimePoint now) const;
  // The app acted at `now`: its next repair within `stable` waits one step longer.
  void Acted(const std::string& app, int64_t generation, TimePoint now);
  void Forget(const std::string& app) { entries_.erase(app); }

 private:
  struct Entry {
    TimePoint last_acted;
    std::chrono::milliseconds delay{0};
    int64_t generation = 0;
  };
  bool Fresh(const Entry& e, int64_t generation, TimePoint now) const {
    return e.generation != generation || now - e.last_acted >= options_.stable;
  }

  RepairBackoffOptions options_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nebula::agent
