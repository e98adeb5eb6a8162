// Children of the supervisor: each in its own process group, output appended to its log file, and
// tied to the supervisor's life with PR_SET_PDEATHSIG so even a SIGKILLed supervisor leaves no orphans.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "stack_plan.h"

namespace nebula::devstack {

// A failure the user can act on; the message names the child and carries its log tail.
struct StartupError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Drop to this user in the child before exec (PostgreSQL refuses to run as root). Done in the child
// itself rather than through runuser, so the server stays our direct child and keeps its death signal.
struct RunAs {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

class ChildProcess {
 public:
  // stdin is /dev/null; stdout and stderr are appended to log_file. The death signal is the spec's
  // stop signal, so an orphaned child shuts down the same graceful way as on `down`.
  static std::unique_ptr<ChildProcess> Start(const ProcessSpec& spec, const std::filesystem::path& log_file,
                                             const std::optional<RunAs>& run_as = std::nullopt);
  // The same command again (same arguments, log file and user), e.g. after it crashed.
  std::unique_ptr<ChildProcess> StartAgain() const;
  ~ChildProcess();  // a child still running here is stopped with a short grace period
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  const std::string& name() const;
  pid_t pid() const;
  const std::filesystem::path& log_file() const;
  bool Running();
  // "exited with status 1", "was killed by signal 9"; only meaningful once Running() is false.
  std::string DescribeExit();
  // Exit status, or 128 + signal when killed.
  int ExitStatus();
  // The spec's stop signal to the child, then SIGKILL to its whole process group after `grace`.
  // Returns false when the child had to be killed (or had already died on its own).
  bool Stop(std::chrono::milliseconds grace);

 private:
  struct Impl;
  explicit ChildProcess(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Runs a command to completion with its output appended to log_file; returns ExitStatus().
// Throws StartupError on timeout and StopRequestedError when a stop is requested meanwhile.
int RunToCompletion(const ProcessSpec& spec, const std::filesystem::path& log_file, std::chrono::milliseconds timeout,
                    const std::optional<RunAs>& run_as = std::nullopt);
// The same, but a non-zero exit throws StartupError("<what> failed ...") with the log tail.
void RunOrThrow(const std::string& what, const ProcessSpec& spec, const std::filesystem::path& log_file,
                std::chrono::milliseconds timeout, const std::optional<RunAs>& run_as = std::nullopt);

// Runs a command to completion and returns what it printed (stdout and stderr, via capture_file, which
// is overwritten). A non-zero exit throws StartupError("<what> failed ...") with that output.
std::string RunAndCapture(const std::string& what, const ProcessSpec& spec, const std::filesystem::path& capture_file,
                          std::chrono::milliseconds timeout);

// Marks the start of this run in a log, so LogTail never shows an older run's lines.
void AppendRunHeader(const std::filesystem::path& log_file);
// The last lines written since the latest run header, indented for display.
std::string LogTail(const std::filesystem::path& log_file, int max_lines = 20);
// Pure part of LogTail, over the text itself.
std::string TailOfRun(const std::string& text, int max_lines);

}  // namespace nebula::devstack
