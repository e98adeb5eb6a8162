// Ctrl-C, SIGTERM and SIGHUP only raise a flag; the supervisor's loops poll it, so a stop always runs
// the orderly teardown instead of dying mid-way.
#pragma once

#include <stdexcept>

namespace nebula::devstack {

void InstallStopHandlers();
bool StopRequested();
// A second signal while stopping asks to skip the grace periods.
bool StopIsUrgent();

// From here on only an urgent stop aborts waits: the teardown itself runs commands (container cleanup)
// that the first stop request must not cut short.
void EnterTeardown();
// Whether a wait in progress should give up now.
bool ShouldAbortWaits();

// Thrown by waits that notice a stop request, so startup unwinds into the teardown.
struct StopRequestedError : std::runtime_error {
  StopRequestedError() : std::runtime_error("stop requested") {}
};

void ThrowIfStopRequested();

}  // namespace nebula::devstack
