// When the supervisor starts a crashed child again: soon after the first crash, less often while it
// keeps crashing, soon again once it ran long enough to count as healthy. Pure, so it is unit-tested.
#pragma once

#include <chrono>

namespace nebula::devstack {

struct RestartPolicy {
  std::chrono::milliseconds first_delay{1000};
  std::chrono::milliseconds max_delay{30000};
  // A run at least this long was no crash loop: the next crash starts over at first_delay.
  std::chrono::milliseconds healthy_run{60000};
};

// The wait before starting a child again that just died on its own. previous_delay is the wait before
// the run that just ended (zero: that run was the first start); ran_for is how long that run lasted.
// Doubles while the child keeps dying young (1, 2, 4, ... s), capped at max_delay.
std::chrono::milliseconds RestartDelay(const RestartPolicy& policy, std::chrono::milliseconds previous_delay,
                                       std::chrono::milliseconds ran_for);

}  // namespace nebula::devstack
