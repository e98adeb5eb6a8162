// When and how long the client waits before retrying a read that failed with UNAVAILABLE.
#pragma once

#include <chrono>

namespace nebula::sdk {

struct RetryPolicy {
  int max_attempts = 4;  // first try included; 1 disables retries
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{2000};
  double multiplier = 2.0;
};

// The wait before attempt `attempt` (1-based; attempt 1 has none): exponential, capped at
// max_backoff. No jitter: one CLI process retries a handful of times, it cannot cause a herd.
std::chrono::milliseconds BackoffBefore(const RetryPolicy& policy, int attempt);

}  // namespace nebula::sdk
