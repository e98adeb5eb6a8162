// `up`: start every child in order, each ready before the next, then watch them until a stop request
// (starting a crashed one again, with backoff), and tear down in reverse order. `down`: ask a running
// supervisor to do that teardown.
#pragma once

#include <chrono>
#include <filesystem>

#include "stack_plan.h"

namespace nebula::devstack {

// Returns the process exit code. bin_dir holds nebula-api-manager and nebula-worker-agent.
int RunUp(const UpOptions& options, const std::filesystem::path& bin_dir);

int RunDown(const std::filesystem::path& state_dir, bool keep_containers, std::chrono::seconds timeout);

}  // namespace nebula::devstack
