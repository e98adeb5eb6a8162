#include "nebula/sdk/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace nebula::sdk {

std::chrono::milliseconds BackoffBefore(const RetryPolicy& policy, int attempt) {
  if (attempt <= 1) return std::chrono::milliseconds(0);
  const double factor = std::pow(std::max(policy.multiplier, 1.0), attempt - 2);
  const double ms = static_cast<double>(policy.initial_backoff.count()) * factor;
  const double cap = static_cast<double>(policy.max_backoff.count());
  return std::chrono::milliseconds(static_cast<long long>(std::min(ms, cap)));
}

}  // namespace nebula::sdk
