#include "worker-agent/core/repair_backoff.h"

#include <algorithm>

namespace nebula::agent {

RepairBackoff::TimePoint RepairBackoff::NextAllowed(const std::string& app, int64_t generation, TimePoint now) const {
  auto it = entries_.find(app);
  if (it == entries_.end() || Fresh(it->second, generation, now)) return now;
  return it->second.last_acted + it->second.delay;
}

void RepairBackoff::Acted(const std::string& app, int64_t generation, TimePoint now) {
  auto it = entries_.find(app);
  if (it == entries_.end() || Fresh(it->second, generation, now)) {
    entries_[app] = Entry{now, options_.min, generation};
    return;
  }
  it->second.last_acted = now;
  it->second.delay = std::min(it->second.delay * 2, options_.max);
}

}  // namespace nebula::agent
