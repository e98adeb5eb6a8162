// `--wait`: follow an app's rollout (WatchAppStatus) until the given generation converged on every
// host, a host failed, or the deadline passed. Progress goes to stderr (a bar on a terminal, plain
// lines otherwise) so stdout stays the command's result.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "nebula/sdk/client.h"

namespace nebula::cli {

// Returns kExitOk, kExitRolloutFailed or kExitWaitTimeout (exit_codes.h), after printing the error
// line for the last two.
int WaitForRollout(sdk::Client& client, const std::string& app, int64_t generation,
                   std::chrono::steady_clock::time_point deadline);

}  // namespace nebula::cli
