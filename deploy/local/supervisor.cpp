#include "supervisor.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "child_process.h"
#include "docker_daemon.h"
#include "kafka_setup.h"
#include "postgres_setup.h"
#include "preflight.h"
#include "readiness.h"
#include "registry_setup.h"
#include "restart_policy.h"
#include "sample_image.h"
#include "signing_keys.h"
#include "stack_lock.h"
#include "stop_request.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

void Say(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

void SayLine(const std::string& line) { Say("nebula-devstack: " + line + "\n"); }

std::string SecondsSince(Clock::time_point start) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(Clock::now() - start).count());
  return text;
}

// How the user reaches a sibling binary: relative to the working directory when it is below it.
std::string DisplayPath(const fs::path& program) {
  std::error_code ec;
  const fs::path relative = fs::relative(program, fs::current_path(), ec);
  if (!ec && !relative.empty() && *relative.begin() != "..") return relative.string();
  return program.string();
}

// Teardown steps, registered as things start; Run() undoes them newest first.
class Teardown {
 public:
  ~Teardown() { Run(); }
  void Push(std::string what, std::function<void()> step) { steps_.emplace_back(std::move(what), std::move(step)); }
  void Run() {
    if (!steps_.empty()) EnterTeardown();
    while (!steps_.empty()) {
      auto [what, step] = std::move(steps_.back());
      steps_.pop_back();
      try {
        step();
      } catch (const std::exception& e) {
        Say("\n");
        SayLine("while " + what + ": " + e.what());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::function<void()>>> steps_;
};

// A long-running child under the crash watch. A restart replaces `process`, so the teardown stops
// whichever run is current.
struct WatchedChild {
  std::unique_ptr<ChildProcess> process;
  Clock::time_point started = Clock::now();
  std::chrono::milliseconds delay_before_run{0};  // zero: the current run is the first start
  std::optional<Clock::time_point> restart_at;    // set while it is down, waiting to be started again
  int restarts = 0;
};

struct Stack {
  std::vector<std::shared_ptr<WatchedChild>> watched;  // every long-running child, for the crash watch
  Teardown teardown;                                   // declared last: destroyed first, while `watched` is still valid
};

ChildProcess& Adopt(Stack& stack, std::unique_ptr<ChildProcess> child, std::chrono::seconds grace) {
  auto watched = std::make_shared<WatchedChild>();
  watched->process = std::move(child);
  stack.watched.push_back(watched);
  stack.teardown.Push("stopping " + watched->process->name(), [watched, grace] {
    ChildProcess& current = *watched->process;
    const auto start = Clock::now();
    Say("  stopping " + current.name() + " ...");
    if (watched->restart_at) {
      Say(" was down, waiting to be restarted\n");
      return;
    }
    const bool was_running = current.Running();
    const bool urgent = StopIsUrgent();
    const bool graceful = current.Stop(urgent ? 0ms : std::chrono::milliseconds(grace));
    const std::string outcome = graceful       ? "stopped"
                                : !was_running ? "had already " + current.DescribeExit()
                                : urgent       ? "killed (second stop request)"
                                               : "killed after " + std::to_string(grace.count()) + " s";
    Say(" " + outcome + " (" + SecondsSince(start) + ")\n");
  });
  return *watched->process;
}

class Progress {
 public:
  explicit Progress(int total) : total_(total) {}
  // Runs one startup step; body returns the note shown after it ("ready", "using ...").
  void Step(const std::string& what, const std::function<std::string()>& body) {
    const auto start = Clock::now();
    Say("  [" + std::to_string(++done_) + "/" + std::to_string(total_) + "] " + what + " ... ");
    try {
      const std::string note = body();
      Say(note + " (" + SecondsSince(start) + ")\n");
    } catch (const StopRequestedError&) {
      Say("interrupted\n");
      throw;
    } catch (...) {
      Say("failed\n");
      throw;
    }
  }

 private:
  int total_;
  int done_ = 0;
};

void WriteStackEnv(const StackPaths& paths, const StackEnv& env) {
  // Written whole, then renamed: whoever polls for stack.env never reads half of it.
  const fs::path partial = paths.stack_env.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    // Owner only before anything is written: with --auth required it holds the admin token.
    fs::permissions(partial, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    out << RenderStackEnv(env);
    if (!out.flush()) throw StartupError("cannot write " + partial.string());
  }
  fs::rename(partial, paths.stack_env);
}

void RedirectOutputToLog(const StackPaths& paths) {
  const fs::path log = paths.Log("devstack");
  AppendRunHeader(log);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  std::fflush(stdout);
  ::dup2(fd, STDOUT_FILENO);
  ::dup2(fd, STDERR_FILENO);
  ::close(fd);
}

// "1 s", "30 s"; "0.5 s" for a policy with fractions.
std::string DelayText(std::chrono::milliseconds delay) {
  if (delay.count() % 1000 == 0) return std::to_string(delay.count() / 1000) + " s";
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", std::chrono::duration<double>(delay).count());
  return text;
}

const RestartPolicy kRestartPolicy;

// The child died (`why`): what is left of its process group is killed (a server's workers would keep
// its port or shared memory), and its restart is due after the backoff.
void ScheduleRestart(WatchedChild& child, Clock::time_point now, const std::string& why) {
  child.process->Stop(0ms);
  const auto ran_for = std::chrono::duration_cast<std::chrono::milliseconds>(now - child.started);
  child.delay_before_run = RestartDelay(kRestartPolicy, child.delay_before_run, ran_for);
  child.restart_at = now + child.delay_before_run;
  SayLine(child.process->name() + " " + why + "; restarting it in " + DelayText(child.delay_before_run) +
          ". Last lines of " + child.process->log_file().string() + ":\n" + LogTail(child.process->log_file()));
}

// One look at a child: a crash schedules its restart, a restart that is due starts it again.
void Tend(WatchedChild& child) {
  const auto now = Clock::now();
  if (!child.restart_at) {
    if (child.process->Running()) return;
    ScheduleRestart(child, now, child.process->DescribeExit() + " after " + SecondsSince(child.started));
    return;
  }
  if (now < *child.restart_at) return;
  child.restart_at.reset();
  child.started = now;
  try {
    AppendRunHeader(child.process->log_file());
    child.process = child.process->StartAgain();
    ++child.restarts;
    SayLine("restarted " + child.process->name() + " (pid " + std::to_string(child.process->pid()) + ", restart " +
            std::to_string(child.restarts) + ")");
  } catch (const std::exception& e) {
    ScheduleRestart(child, now, std::string("could not be restarted: ") + e.what());
  }
}

// Until a stop request: children that die on their own are started again (docs/local-stack.md
// "Crashed children"), so one crash never takes the stack down.
void WatchUntilStopped(Stack& stack) {
  while (!StopRequested()) {
    for (const auto& child : stack.watched) Tend(*child);
    std::this_thread::sleep_for(250ms);
  }
  SayLine("stop requested; stopping the stack");
}

int Supervise(const UpOptions& options, const StackPaths& paths, const Toolbox& tools, const fs::path& bin_dir) {
  const StackPorts ports{options.port_base};
  Stack stack;
  std::string docker_host;
  const std::string admin_token = options.auth == "required" ? GenerateAdminToken() : "";
  // Every record the stack's api-manager publishes is signed, and its agents verify them.
  const StackSigningKeys keys = EnsureSigningKeys(paths.keys);
  Progress progress(5 + (options.api_manager ? 2 : 0) + options.agents);
  SayLine("starting the dev stack in " + paths.state.string() + " (logs in " + paths.logs.string() + ")");
  try {
    progress.Step("PostgreSQL 15 on " + Loopback(ports.Postgres()), [&] {
      Adopt(stack, StartPostgres(options, paths, tools), 30s);
      return std::string("ready");
    });
    progress.Step("Kafka " + std::string(kKafkaVersion) + " on " + Loopback(ports.Kafka()), [&] {
      Adopt(stack, StartKafka(options, paths, tools), 60s);
      return std::string("ready");
    });
    progress.Step("dockerd", [&] {
      DockerConnection docker = ConnectDocker(options, paths);
      docker_host = docker.host;
      std::string note = "using " + docker_host;
      if (docker.private_daemon) {
        // Registered before dockerd: teardown runs newest first, so the bridge goes once dockerd stopped.
        stack.teardown.Push("removing the private dockerd's bridge",
                            [&paths] { RemovePrivateBridge(paths.docker, paths.Log("dockerd")); });
        Adopt(stack, std::move(docker.private_daemon), 60s);
        note = "started a private dockerd at " + docker_host;
      }
      // The agents pulled the sample image from a registry that stops with the stack: untag it (a no-op
      // while some container still uses it). Registered after dockerd, so it runs while dockerd answers.
      stack.teardown.Push("untagging the sample image", [&tools, &paths, docker_host, ports] {
        RunToCompletion(DockerCli(tools, docker_host, {"rmi", SampleImage(ports)}), paths.Log("docker-cleanup"), 30s);
      });
      if (options.agents > 0) {
        // Registered after dockerd, so it runs while dockerd still answers.
        stack.teardown.Push("removing this stack's containers", [&options, &paths, &tools, docker_host] {
          if (options.keep_containers || fs::exists(paths.keep_containers_marker)) return;
          Say("  removing containers of this stack's agents ...");
          RemoveStackContainers(tools, docker_host, options.agents, paths);
          Say(" done\n");
        });
      }
      return note;
    });
    progress.Step("registry on " + Loopback(ports.Registry()), [&] {
      Adopt(stack, StartRegistry(options, paths, tools), 10s);
      return std::string("ready");
    });
    progress.Step("sample image " + SampleImage(ports), [&] {
      return EnsureSampleImage(options, paths, tools, docker_host) == SampleImageResult::kPushed
                 ? std::string("built and pushed")
                 : std::string("already in the registry");
    });
    if (options.api_manager) {
      progress.Step("nebula-api-manager on " + Loopback(ports.ApiManager()), [&] {
        const ProcessSpec spec = ApiManagerSpec(bin_dir, ports, admin_token, keys.secret);
        AppendRunHeader(paths.Log(spec.name));
        ChildProcess& api = Adopt(stack, ChildProcess::Start(spec, paths.Log(spec.name)), 30s);
        WaitUntilReady(api, {"TCP connect to " + Loopback(ports.ApiManager()),
                             [&] { return TcpPortOpen(ports.ApiManager()); }, 180s});
        return std::string("ready");
      });
      progress.Step("nebula-gateway on " + Loopback(ports.Gateway()), [&] {
        const ProcessSpec spec = GatewaySpec(bin_dir, ports);
        AppendRunHeader(paths.Log(spec.name));
        ChildProcess& gateway = Adopt(stack, ChildProcess::Start(spec, paths.Log(spec.name)), 10s);
        WaitUntilReady(gateway, {"TCP connect to " + Loopback(ports.Gateway()),
                                 [&] { return TcpPortOpen(ports.Gateway()); }, 60s});
        return std::string("ready");
      });
    }
    for (int i = 0; i < options.agents; ++i) {
      progress.Step("nebula-worker-agent " + WorkerId(i) + " on " + Loopback(ports.Agent(i)), [&] {
        const ProcessSpec spec = AgentSpec(bin_dir, ports, i, options.apps, docker_host, keys.trusted);
        AppendRunHeader(paths.Log(spec.name));
        ChildProcess& agent = Adopt(stack, ChildProcess::Start(spec, paths.Log(spec.name)), 30s);
        WaitUntilReady(
            agent, {"TCP connect to " + Loopback(ports.Agent(i)), [&] { return TcpPortOpen(ports.Agent(i)); }, 90s});
        return std::string("ready");
      });
    }
    const StackEnv env{ports, paths.state, docker_host, options.agents, admin_token, keys.trusted, keys.secret};
    WriteStackEnv(paths, env);
    stack.teardown.Push("removing stack.env", [&paths] { fs::remove(paths.stack_env); });
    Say(RenderReadySummary(env, options.apps, DisplayPath(bin_dir / "nebula"), options.api_manager));
    const std::string down = DisplayPath(bin_dir / "nebula-devstack") + " down --state-dir " + paths.state.string();
    Say(options.detach ? "\nStop it with: " + down + "\n"
                       : "\nCtrl-C stops it (or, from another shell: " + down + ")\n");
  } catch (const StopRequestedError&) {
    Say("\n");
    SayLine("interrupted; stopping what was started");
    stack.teardown.Run();
    return 130;
  } catch (const std::exception& e) {
    SayLine(std::string("error: ") + e.what());
    SayLine("stopping what was started");
    stack.teardown.Run();
    return 1;
  }
  if (options.detach) RedirectOutputToLog(paths);
  WatchUntilStopped(stack);
  stack.teardown.Run();
  SayLine("stopped");
  return 0;
}

// The foreground half of `up --detach`: relay the daemon's progress until it closes the pipe (ready, or
// given up), forwarding Ctrl-C to it so an interrupted start still tears down cleanly.
int RelayUntilReady(int fd, pid_t daemon, const StackPaths& paths) {
  bool forwarded = false;
  char buffer[4096];
  for (;;) {
    if (StopRequested() && !forwarded) {
      ::kill(daemon, SIGTERM);
      forwarded = true;
    }
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, 200);
    if (ready <= 0) continue;  // timeout or EINTR: check the stop flag again
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::fwrite(buffer, 1, static_cast<std::size_t>(n), stdout);
    std::fflush(stdout);
  }
  ::close(fd);
  int status = 0;
  const bool daemon_exited = ::waitpid(daemon, &status, WNOHANG) == daemon;
  return !daemon_exited && fs::exists(paths.stack_env) ? 0 : 1;
}

void RemoveContainersOfKilledStack(const StackPaths& paths) {
  std::ifstream in(paths.stack_env);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto env = ParseStackEnv(text);
  const int agents = std::atoi(env["NEBULA_AGENTS"].c_str());
  const std::string host = env["DOCKER_HOST"];
  Toolbox tools;
  tools.docker = FindOnPath("docker");
  if (agents <= 0 || host.empty() || tools.docker.empty() || !DockerAnswers(host)) return;
  try {
    SayLine("removing the containers of a stack whose supervisor was killed");
    fs::create_directories(paths.logs);
    RemoveStackContainers(tools, host, agents, paths);
  } catch (const std::exception& e) {
    SayLine(std::string("could not remove them: ") + e.what());
  }
}

}  // namespace

int RunUp(const UpOptions& options, const fs::path& bin_dir) {
  const auto problems = ValidateUpOptions(options);
  for (const auto& problem : problems) SayLine("error: " + problem);
  if (!problems.empty()) return 2;

  InstallStopHandlers();
  const StackPaths paths(options.state_dir);
  const Toolbox tools = FindTools(options, bin_dir);
  StackLock lock = StackLock::Acquire(paths);
  CheckPortsFree(options);
  const auto [first_ephemeral, last_ephemeral] = EphemeralPortRange();
  if (const std::string warning = EphemeralPortsWarning(options, first_ephemeral, last_ephemeral); !warning.empty())
    SayLine("warning: " + warning);
  fs::create_directories(paths.logs);
  std::error_code ignored;
  fs::remove(paths.stack_env, ignored);  // left by a supervisor that was SIGKILLed
  fs::remove(paths.keep_containers_marker, ignored);

  if (options.detach) {
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw StartupError("pipe2 failed");
    std::fflush(stdout);
    const pid_t daemon = ::fork();
    if (daemon < 0) throw StartupError("fork failed");
    if (daemon > 0) {
      ::close(pipe_fds[1]);
      lock.Abandon();
      return RelayUntilReady(pipe_fds[0], daemon, paths);
    }
    // The daemon: its own session (no terminal signals), output into the pipe until ready.
    ::close(pipe_fds[0]);
    ::setsid();
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    ::dup2(null_fd, STDIN_FILENO);
    ::close(null_fd);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[1]);
  }
  lock.WritePid(::getpid());
  return Supervise(options, paths, tools, bin_dir);
}

int RunDown(const fs::path& state_dir, bool keep_containers, std::chrono::seconds timeout) {
  const StackPaths paths(state_dir);
  if (!StackLock::IsHeld(paths)) {
    // A stack.env without a supervisor: it was SIGKILLed, so its agents' containers were never removed.
    if (!keep_containers && fs::exists(paths.stack_env)) RemoveContainersOfKilledStack(paths);
    std::error_code ignored;
    fs::remove(paths.stack_env, ignored);
    fs::remove(paths.pid_file, ignored);
    SayLine("no stack is running in " + state_dir.string());
    return 0;
  }
  const auto pid = ReadPid(paths);
  if (!pid) {
    SayLine("error: a supervisor holds " + paths.lock_file.string() + " but " + paths.pid_file.string() +
            " names none; find it with: fuser " + paths.lock_file.string());
    return 1;
  }
  if (keep_containers) std::ofstream(paths.keep_containers_marker) << "1\n";
  const auto start = Clock::now();
  SayLine("stopping the stack in " + state_dir.string() + " (supervisor pid " + std::to_string(*pid) + ")");
  if (::kill(*pid, SIGTERM) != 0 && errno != ESRCH) {
    SayLine("error: cannot signal pid " + std::to_string(*pid) + ": " + std::strerror(errno));
    return 1;
  }
  while (StackLock::IsHeld(paths)) {
    if (Clock::now() - start > timeout) {
      SayLine("error: the supervisor (pid " + std::to_string(*pid) + ") did not stop within " +
              std::to_string(timeout.count()) + " s; see " + paths.Log("devstack").string() + " or kill it: kill -9 " +
              std::to_string(*pid));
      return 1;
    }
    std::this_thread::sleep_for(200ms);
  }
  std::error_code ignored;
  fs::remove(paths.keep_containers_marker, ignored);
  SayLine("stopped (" + SecondsSince(start) + ")");
  return 0;
}

}  // namespace nebula::devstack
