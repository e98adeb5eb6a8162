// One supervisor per state dir: an flock on <state>/devstack.lock held for the supervisor's lifetime,
// plus <state>/devstack.pid so `down` knows whom to signal. The kernel drops the lock when the
// supervisor dies, however it dies, so a stale pid file never blocks the next `up`.
#pragma once

#include <sys/types.h>

#include <optional>

#include "stack_plan.h"

namespace nebula::devstack {

class StackLock {
 public:
  // Throws StartupError naming the running supervisor when another one holds the state dir.
  static StackLock Acquire(const StackPaths& paths);
  // True while some supervisor runs on this state dir.
  static bool IsHeld(const StackPaths& paths);

  StackLock(StackLock&& other) noexcept;
  StackLock& operator=(StackLock&&) = delete;
  StackLock(const StackLock&) = delete;
  ~StackLock();  // removes the pid file and releases the lock

  void WritePid(pid_t pid);
  // In the foreground half of a detached `up`: forget the lock without releasing it; the daemon
  // half keeps the same open file and so the lock.
  void Abandon();

 private:
  StackLock(const StackPaths& paths, int fd);
  StackPaths paths_;
  int fd_ = -1;
  bool owns_pid_file_ = false;
};

std::optional<pid_t> ReadPid(const StackPaths& paths);

}  // namespace nebula::devstack
