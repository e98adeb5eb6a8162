#include "api-manager/shutdown_signal.h"

#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace nebula::api_manager {
namespace {

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

}  // namespace

ShutdownSignal::ShutdownSignal() {
  sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  waiter_ = std::jthread([this](std::stop_token stop) { Watch(stop); });
}

ShutdownSignal::~ShutdownSignal() {
  waiter_.request_stop();
  pthread_kill(waiter_.native_handle(), SIGTERM);  // sigwait cannot see the stop token: a signal ends it
  waiter_.join();
}

void ShutdownSignal::Watch(std::stop_token stop) {
  sigset_t set = ShutdownSignals();
  while (true) {
    int signal = 0;
    if (sigwait(&set, &signal) != 0 || stop.stop_requested()) return;
    if (requested_) {
      spdlog::warn("second signal ({}): exiting now", strsignal(signal));
      std::_Exit(1);
    }
    spdlog::info("received {}: shutting down gracefully", strsignal(signal));
    {
      std::lock_guard lock(mutex_);
      requested_ = true;
    }
    cv_.notify_all();
  }
}

bool ShutdownSignal::WaitFor(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return cv_.wait_for(lock, timeout, [&] { return requested_.load(); });
}

void ShutdownSignal::Wait() {
  std::unique_lock lock(mutex_);
  cv_.wait(lock, [&] { return requested_.load(); });
}

}  // namespace nebula::api_manager
