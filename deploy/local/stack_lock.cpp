#include "stack_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>

#include "child_process.h"

namespace nebula::devstack {
namespace fs = std::filesystem;

StackLock::StackLock(const StackPaths& paths, int fd) : paths_(paths), fd_(fd) {}

StackLock::StackLock(StackLock&& other) noexcept
    : paths_(other.paths_), fd_(other.fd_), owns_pid_file_(other.owns_pid_file_) {
  other.fd_ = -1;
  other.owns_pid_file_ = false;
}

StackLock StackLock::Acquire(const StackPaths& paths) {
  fs::create_directories(paths.state);
  // O_CLOEXEC: a child holding the lock file open would keep the lock after the supervisor died.
  const int fd = ::open(paths.lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw StartupError("cannot open " + paths.lock_file.string());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    const auto pid = ReadPid(paths);
    throw StartupError("a stack is already running from " + paths.state.string() +
                       (pid ? " (supervisor pid " + std::to_string(*pid) + ")" : std::string()) +
                       "; stop it first with: nebula-devstack down --state-dir " + paths.state.string());
  }
  return StackLock(paths, fd);
}

bool StackLock::IsHeld(const StackPaths& paths) {
  const int fd = ::open(paths.lock_file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  const bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0;
  ::close(fd);  // also releases the lock if we just took it
  return held;
}

StackLock::~StackLock() {
  if (fd_ < 0) return;
  if (owns_pid_file_) {
    std::error_code ignored;
    fs::remove(paths_.pid_file, ignored);
  }
  ::close(fd_);
}

void StackLock::WritePid(pid_t pid) {
  std::ofstream out(paths_.pid_file, std::ios::trunc);
  out << pid << "\n";
  owns_pid_file_ = true;
}

void StackLock::Abandon() {
  ::close(fd_);
  fd_ = -1;
  owns_pid_file_ = false;
}

std::optional<pid_t> ReadPid(const StackPaths& paths) {
  std::ifstream in(paths.pid_file);
  pid_t pid = 0;
  if (in >> pid && pid > 0) return pid;
  return std::nullopt;
}

}  // namespace nebula::devstack
