#include "stop_request.h"

#include <atomic>
#include <csignal>
#include <ctime>

namespace nebula::devstack {
namespace {

std::atomic<int> g_stop_signals{0};
std::atomic<long long> g_first_signal_ns{0};
std::atomic<bool> g_urgent{false};
std::atomic<bool> g_in_teardown{false};
static_assert(std::atomic<long long>::is_always_lock_free, "used from a signal handler");

long long MonotonicNs() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  return static_cast<long long>(now.tv_sec) * 1000000000LL + now.tv_nsec;
}

// One Ctrl-C often arrives twice (the terminal signals the whole foreground group, and wrappers such
// as timeout(1) forward it again), so only a signal at least a second after the first is "urgent".
void OnStopSignal(int) {
  if (g_stop_signals.fetch_add(1) == 0) {
    g_first_signal_ns.store(MonotonicNs());
  } else if (MonotonicNs() - g_first_signal_ns.load() > 1000000000LL) {
    g_urgent.store(true);
  }
}

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

bool StopIsUrgent() { return g_urgent.load(); }

void EnterTeardown() { g_in_teardown.store(true); }

bool ShouldAbortWaits() { return g_in_teardown.load() ? StopIsUrgent() : StopRequested(); }

void ThrowIfStopRequested() {
  if (ShouldAbortWaits()) throw StopRequestedError();
}

}  // namespace nebula::devstack
