// `--wait`: when a rollout is done, and how its progress looks. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "nebula/v1/worker.pb.h"

namespace nebula::cli {

enum class RolloutState { kWaiting, kConverged, kFailed };

// A status of an older generation than the one we wait for says nothing about ours: wait.
RolloutState Evaluate(const v1::AppStatus& status, int64_t target_generation);

// Both show hosts as "4 observed, 3/6 converged, 0 failed" (desired after the slash).
// "[##########----------] 4 observed, 3/6 converged, 0 failed  web generation 7" (terminal, redrawn with \r).
std::string ProgressBar(const v1::AppStatus& status, int width = 30);
// "web generation 7: 4 observed, 3/6 converged, 0 failed (PROGRESSING)" (one line per change).
std::string ProgressLine(const v1::AppStatus& status);
// One line per failing host: "  worker w1 (host1): <error>; <error>".
std::string FailingHosts(const v1::AppStatus& status);

}  // namespace nebula::cli
