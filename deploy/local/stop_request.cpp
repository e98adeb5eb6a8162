#include "stop_request.h"

#include <atomic>
#include <csignal>

namespace nebula::devstack {
namespace {

std::atomic<int> g_stop_signals{0};
std::atomic<bool> g_in_teardown{false};
static_assert(std::atomic<int>::is_always_lock_free, "used from a signal handler");

void OnStopSignal(int) { g_stop_signals.fetch_add(1); }

// A no-op handler instead of SIG_IGN: ignored dispositions survive exec and would leak into the children.
void OnSigPipe(int) {}

}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal_number, &action, nullptr);
  struct sigaction pipe_action {};
  pipe_action.sa_handler = OnSigPipe;
  sigemptyset(&pipe_action.sa_mask);
  sigaction(SIGPIPE, &pipe_action, nullptr);
}

bool StopRequested() { return g_stop_signals.load() > 0; }

bool StopIsUrgent() { return g_stop_signals.load() > 1; }

void EnterTeardown() { g_in_teardown.store(true); }

bool ShouldAbortWaits() { return g_in_teardown.load() ? StopIsUrgent() : StopRequested(); }

void ThrowIfStopRequested() {
  if (ShouldAbortWaits()) throw StopRequestedError();
}

}  // namespace nebula::devstack
