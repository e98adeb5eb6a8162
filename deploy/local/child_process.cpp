#include "child_process.h"

// Boost 1.74 + GCC 12 + C++20: <utility> must precede any Boost.Process/Asio header.
#include <utility>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/group.hpp>
#include <boost/process/start_dir.hpp>

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fstream>
#include <system_error>
#include <thread>
#include <vector>

#include "stop_request.h"

namespace nebula::devstack {
namespace bp = boost::process;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

constexpr const char* kRunHeader = "=== nebula-devstack run ";

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int OpenOrThrow(const fs::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw StartupError("cannot open " + path.string() + ": " + std::strerror(errno));
  }
  return fd;
}

// Everything the forked child does before exec. Only async-signal-safe calls: the supervisor may have
// threads of its own one day, and fork only copies the calling one.
struct ExecSetup {
  int log_fd;
  int null_fd;
  pid_t parent;
  int death_signal;
  bool drop_privileges;
  uid_t uid;
  gid_t gid;

  template <class Executor>
  void operator()(Executor& exec) const {
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(log_fd, STDOUT_FILENO);
    ::dup2(log_fd, STDERR_FILENO);
    if (drop_privileges) {
      if (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
        exec.set_error(std::error_code(errno, std::system_category()), "cannot switch user before exec");
        ::_exit(127);
      }
    }
    // After the user switch: changing credentials clears the death signal.
    ::prctl(PR_SET_PDEATHSIG, death_signal);
    if (::getppid() != parent) ::_exit(1);  // the supervisor died before prctl took effect
  }
};

std::string SignalName(int signal_number) {
  const char* name = sigdescr_np(signal_number);
  return name ? name : "unknown";
}

}  // namespace

struct ChildProcess::Impl {
  ProcessSpec spec;  // kept for StartAgain
  std::optional<RunAs> run_as;
  fs::path log_file;
  bp::group group;  // constructed before the child, which joins it
  bp::child child;
  pid_t pgid = -1;
  bool stopped = false;
};

ChildProcess::ChildProcess(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<ChildProcess> ChildProcess::Start(const ProcessSpec& spec, const fs::path& log_file,
                                                  const std::optional<RunAs>& run_as) {
  const Fd log_fd(OpenOrThrow(log_file, O_WRONLY | O_CREAT | O_APPEND));
  const Fd null_fd(OpenOrThrow("/dev/null", O_RDWR));
  auto impl = std::make_unique<Impl>();
  impl->spec = spec;
  impl->run_as = run_as;
  impl->log_file = log_file;

  bp::environment env = boost::this_process::environment();
  for (const auto& [key, value] : spec.env) env[key] = value;
  std::vector<std::string> args = spec.args;
  const ExecSetup setup{log_fd.get(),
                        null_fd.get(),
                        ::getpid(),
                        spec.stop_signal,
                        run_as.has_value(),
                        run_as ? run_as->uid : 0,
                        run_as ? run_as->gid : 0};
  const fs::path working_dir = spec.working_dir.empty() ? fs::current_path() : spec.working_dir;
  try {
    impl->child = bp::child(bp::exe(spec.program.string()), bp::args(args), env, impl->group,
                            bp::start_dir(working_dir.string()), bp::extend::on_exec_setup(setup));
  } catch (const std::exception& e) {
    throw StartupError("cannot start " + spec.name + " (" + spec.program.string() + "): " + e.what());
  }
  impl->pgid = impl->child.id();
  return std::unique_ptr<ChildProcess>(new ChildProcess(std::move(impl)));
}

ChildProcess::~ChildProcess() {
  if (impl_) Stop(5s);
}

std::unique_ptr<ChildProcess> ChildProcess::StartAgain() const {
  return Start(impl_->spec, impl_->log_file, impl_->run_as);
}

const std::string& ChildProcess::name() const { return impl_->spec.name; }

pid_t ChildProcess::pid() const { return impl_->pgid; }

const fs::path& ChildProcess::log_file() const { return impl_->log_file; }

bool ChildProcess::Running() {
  std::error_code ec;
  return impl_->child.running(ec);
}

std::string ChildProcess::DescribeExit() {
  if (Running()) return "is still running";
  const int status = impl_->child.native_exit_code();
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" + SignalName(WTERMSIG(status)) + ")";
  }
  return "ended with wait status " + std::to_string(status);
}

int ChildProcess::ExitStatus() {
  const int status = impl_->child.native_exit_code();
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

bool ChildProcess::Stop(std::chrono::milliseconds grace) {
  if (impl_->stopped) return true;
  impl_->stopped = true;
  std::error_code ec;
  bool graceful = false;
  if (impl_->child.running(ec)) {
    graceful = true;
    ::kill(impl_->pgid, impl_->spec.stop_signal);
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (impl_->child.running(ec) && std::chrono::steady_clock::now() < deadline && !StopIsUrgent()) {
      std::this_thread::sleep_for(50ms);
    }
    if (impl_->child.running(ec)) {
      graceful = false;
      ::killpg(impl_->pgid, SIGKILL);
      impl_->child.wait(ec);
    }
  }
  // Whatever the child left behind in its group (a shell's children, a server's workers).
  ::killpg(impl_->pgid, SIGKILL);
  impl_->group.detach();
  return graceful;
}

int RunToCompletion(const ProcessSpec& spec, const fs::path& log_file, std::chrono::milliseconds timeout,
                    const std::optional<RunAs>& run_as) {
  auto child = ChildProcess::Start(spec, log_file, run_as);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (child->Running()) {
    if (ShouldAbortWaits()) {
      child->Stop(2s);
      throw StopRequestedError();
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      child->Stop(2s);
      throw StartupError(spec.name + " did not finish within " +
                         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timeout).count()) +
                         " s; last lines of " + log_file.string() + ":\n" + LogTail(log_file));
    }
    std::this_thread::sleep_for(20ms);
  }
  const int status = child->ExitStatus();
  child->Stop(0ms);
  return status;
}

void RunOrThrow(const std::string& what, const ProcessSpec& spec, const fs::path& log_file,
                std::chrono::milliseconds timeout, const std::optional<RunAs>& run_as) {
  const int status = RunToCompletion(spec, log_file, timeout, run_as);
  if (status != 0) {
    throw StartupError(what + " failed (" + spec.program.filename().string() + " exit status " +
                       std::to_string(status) + "); last lines of " + log_file.string() + ":\n" + LogTail(log_file));
  }
}

std::string RunAndCapture(const std::string& what, const ProcessSpec& spec, const fs::path& capture_file,
                          std::chrono::milliseconds timeout) {
  std::error_code ignored;
  fs::remove(capture_file, ignored);
  const int status = RunToCompletion(spec, capture_file, timeout);
  std::ifstream in(capture_file, std::ios::binary);
  std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (status != 0) {
    throw StartupError(what + " failed (" + spec.program.filename().string() + " exit status " +
                       std::to_string(status) + "):\n" + TailOfRun(output, 20));
  }
  return output;
}

void AppendRunHeader(const fs::path& log_file) {
  std::ofstream out(log_file, std::ios::app);
  char stamp[64];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &local);
  out << kRunHeader << stamp << " ===\n";
}

std::string TailOfRun(const std::string& text, int max_lines) {
  std::string run = text;
  if (const auto header = run.rfind(kRunHeader); header != std::string::npos) {
    const auto line_end = run.find('\n', header);
    run = line_end == std::string::npos ? std::string() : run.substr(line_end + 1);
  }
  while (!run.empty() && run.back() == '\n') run.pop_back();
  if (run.empty()) return "    (no output)\n";
  std::size_t start = run.size();
  for (int lines = 0; start > 0; --start) {
    if (run[start - 1] == '\n' && ++lines == max_lines) break;
  }
  std::string out;
  std::size_t pos = start;
  while (pos <= run.size()) {
    auto end = run.find('\n', pos);
    if (end == std::string::npos) end = run.size();
    out += "    " + run.substr(pos, end - pos) + "\n";
    pos = end + 1;
  }
  return out;
}

std::string LogTail(const fs::path& log_file, int max_lines) {
  std::ifstream in(log_file, std::ios::binary);
  if (!in) return "    (no log at " + log_file.string() + ")\n";
  // Only the end of a large log matters; 64 KiB covers any sensible tail.
  constexpr std::streamoff kWindow = 64 * 1024;
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(std::max<std::streamoff>(0, size - kWindow));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return TailOfRun(text, max_lines);
}

}  // namespace nebula::devstack
