#include "restart_policy.h"

#include <algorithm>

namespace nebula::devstack {

std::chrono::milliseconds RestartDelay(const RestartPolicy& policy, std::chrono::milliseconds previous_delay,
                                       std::chrono::milliseconds ran_for) {
  if (previous_delay.count() <= 0 || ran_for >= policy.healthy_run) return policy.first_delay;
  return std::min(previous_delay * 2, policy.max_delay);
}

}  // namespace nebula::devstack
