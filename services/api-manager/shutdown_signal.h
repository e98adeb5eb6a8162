// SIGTERM/SIGINT → graceful shutdown. Construct it first in main: it blocks the signals in the
// calling thread, so every thread started afterwards (gRPC, librdkafka) inherits the mask and one
// waiter thread receives them. A second signal exits at once.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stop_token>
#include <thread>

namespace nebula::api_manager {

class ShutdownSignal {
 public:
  ShutdownSignal();
  ~ShutdownSignal();
  ShutdownSignal(const ShutdownSignal&) = delete;
  ShutdownSignal& operator=(const ShutdownSignal&) = delete;

  bool Requested() const { return requested_; }
  // True if shutdown was requested within the timeout.
  bool WaitFor(std::chrono::milliseconds timeout);
  void Wait();

 private:
  void Watch(std::stop_token stop);

  std::atomic<bool> requested_{false};
  std::mutex mutex_;
  std::condition_variable cv_;
  std::jthread waiter_;
};

}  // namespace nebula::api_manager
