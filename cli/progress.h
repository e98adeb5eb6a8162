// `--wait`: when a rollout is done, and how its progress looks. Pure.
#pragma once

#include <cstdint>
#include <string>

#include "nebula/v1/worker.pb.h"

namespace nebula::cli {

enum class RolloutState { kWaiting, kConverged, kFailed };

// A status of an older generation than the one we wait for says nothing about ours: wait.
RolloutState Evaluate(const v1::AppStatus& status, int64_t target_generation);

// "[##########----------]  3/6 hosts converged, 0 failed  web generation 7" (terminal, redrawn with \r).
std::string ProgressBar(const v1::AppStatus& status, int width = 30);
// "web generation 7: 3/6 hosts converged, 4 observed, 0 failed (PROGRESSING)" (one line per change).
std::string ProgressLine(const v1::AppStatus& status);
// One line per failing host: "  worker w1 (host1): <error>; <error>".
std::string FailingHosts(const v1::AppStatus& status);
// "  worker w1 (host): generation 101, the API is at 7\n" per host ahead of the API (AppStatus.ahead_hosts).
std::string AheadHosts(const v1::AppStatus& status);

}  // namespace nebula::cli
