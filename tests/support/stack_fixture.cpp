#include <utility>  // before Boost.Process: Boost 1.74 + GCC 12 need it for std::exchange

#include "stack_fixture.h"

#include "private_dockerd.h"

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace bp = boost::process;
namespace fs = std::filesystem;

namespace nebula::testing {
namespace {

// Children must not outlive a crashed or killed test binary.
struct DieWithParent : bp::extend::handler {
  template <class Executor>
  void on_exec_setup(Executor&) const {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    setpgid(0, 0);
  }
};

bp::environment MakeEnv(const std::map<std::string, std::string>& extra) {
  bp::environment env = boost::this_process::environment();
  for (const auto& [k, v] : extra) env[k] = v;
  return env;
}

fs::path Resolve(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  auto found = bp::search_path(program);
  if (found.empty()) throw std::runtime_error("program not found on PATH: " + program);
  return found.string();
}

bool PortFree(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// 40 ports per test process: the stack uses base+1..+7, tests use base+20..+39. All between 21000 (above
// the dev stack's default ports, 20050+) and 32600, below the kernel's ephemeral range (32768-60999):
// there an outgoing connection may take a port before the service that owns it binds it.
constexpr int kFirstTestPort = 21000;
constexpr int kPortBlock = 40;
constexpr int kPortBlocks = 290;  // up to 32599
int ChoosePortBase() {
  if (const char* fixed = std::getenv("NEBULA_TEST_PORT_BASE")) return std::atoi(fixed);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const int base = kFirstTestPort + ((getpid() + attempt) % kPortBlocks) * kPortBlock;
    bool free = true;
    for (int p = base; p < base + kPortBlock && free; ++p) free = PortFree(p);
    if (free) return base;
  }
  throw std::runtime_error("no free block of " + std::to_string(kPortBlock) + " ports between " +
                           std::to_string(kFirstTestPort) + " and " +
                           std::to_string(kFirstTestPort + kPortBlocks * kPortBlock));
}

std::map<std::string, std::string> ParseEnvFile(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

bool& PrivateDockerdWanted() {
  static bool wanted = false;
  return wanted;
}
bool& StackStarted() {
  static bool started = false;
  return started;
}

class StackGuard {
 public:
  explicit StackGuard(StackAuth auth) {
    info_.bin_dir = NEBULA_BIN_DIR;
    info_.port_base = ChoosePortBase();
    char tmpl[] = "/tmp/nebula-test-stack-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
    info_.state_dir = tmpl;
    const std::string log = info_.state_dir + "/devstack.log";
    std::vector<std::string> argv{info_.bin_dir + "/nebula-devstack",
                                  "up",
                                  "--agents",
                                  "0",
                                  "--state-dir",
                                  info_.state_dir,
                                  "--port-base",
                                  std::to_string(info_.port_base),
                                  "--auth",
                                  auth == StackAuth::kRequired ? "required" : "none"};
    if (PrivateDockerdWanted()) argv.push_back("--private-docker");
    supervisor_ = std::make_unique<BackgroundProcess>(argv, std::map<std::string, std::string>{}, log);
    const std::string env_file = info_.state_dir + "/stack.env";
    const bool up = Eventually([&] { return fs::exists(env_file) || !supervisor_->Running(); },
                               std::chrono::seconds(300), std::chrono::milliseconds(200));
    if (!up || !fs::exists(env_file)) {
      const std::string tail = supervisor_->LogTail();
      supervisor_->Stop();
      RemoveStateDir();
      throw std::runtime_error("nebula-devstack did not come up:\n" + tail);
    }
    auto env = ParseEnvFile(ReadFile(env_file));
    info_.endpoint = env["NEBULA_ENDPOINT"];
    info_.database_url = env["NEBULA_DATABASE_URL"];
    info_.kafka_brokers = env["NEBULA_KAFKA_BROKERS"];
    info_.docker_host = env["DOCKER_HOST"];
    info_.registry = env["NEBULA_REGISTRY"];
    info_.sample_image = env["NEBULA_SAMPLE_IMAGE"];
    info_.token = env["NEBULA_TOKEN"];
    info_.trusted_keys = env["NEBULA_TRUSTED_KEYS"];
    info_.signing_key = env["NEBULA_SIGNING_KEY_FILE"];
    if (auth == StackAuth::kRequired && info_.token.empty()) {
      supervisor_->Stop();
      RemoveStateDir();
      throw std::runtime_error("nebula-devstack --auth required wrote no NEBULA_TOKEN to stack.env");
    }
  }
  ~StackGuard() {
    if (supervisor_) supervisor_->Stop(std::chrono::seconds(60));
    RemoveStateDir();
  }
  void RemoveStateDir() {
    // A private dockerd stopped cleanly leaves no mounts; one that was killed may.
    if (!std::getenv("NEBULA_TEST_KEEP_STATE")) RemoveTreeWithMounts(info_.state_dir);
  }
  const StackInfo& info() const { return info_; }

 private:
  StackInfo info_;
  std::unique_ptr<BackgroundProcess> supervisor_;
};

}  // namespace

std::map<std::string, std::string> StackInfo::Env() const {
  std::map<std::string, std::string> env{
      {"NEBULA_ENDPOINT", endpoint}, {"DOCKER_HOST", docker_host}, {"NEBULA_KAFKA_BROKERS", kafka_brokers}};
  if (!token.empty()) env["NEBULA_TOKEN"] = token;
  return env;
}

const StackInfo& SharedStack(StackAuth auth) {
  // Started on first use, stopped at process exit. A stack that failed to start is not retried by
  // every later test case: they all fail at once with the first error.
  static std::string failure;
  if (!failure.empty()) throw std::runtime_error(failure);
  static const StackAuth first_auth = auth;
  if (auth != first_auth)
    throw std::logic_error("SharedStack: one test binary asked for both an auth-required and an open stack");
  StackStarted() = true;
  try {
    static StackGuard guard(auth);
    return guard.info();
  } catch (const std::exception& e) {
    failure = e.what();
    throw;
  }
}

bool UsePrivateDockerd() {
  if (StackStarted() && !PrivateDockerdWanted()) {
    throw std::logic_error("UsePrivateDockerd: this binary's stack already runs on the shared dockerd");
  }
  PrivateDockerdWanted() = true;
  return true;
}

int TestPort(int offset) {
  if (offset < 0 || offset >= 20) throw std::invalid_argument("TestPort offset must be in [0, 20)");
  return SharedStack().port_base + 20 + offset;
}

int FindProcess(const std::vector<std::string>& parts) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = ReadFile((entry.path() / "cmdline").string());
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    const bool all = std::all_of(parts.begin(), parts.end(),
                                 [&](const std::string& part) { return cmdline.find(part) != std::string::npos; });
    if (all && !cmdline.empty()) return std::stoi(pid);
  }
  return 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Tail(const std::string& text, size_t bytes) {
  return text.size() <= bytes ? text : text.substr(text.size() - bytes);
}

CommandResult Run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
                  std::chrono::seconds timeout) {
  if (argv.empty()) throw std::invalid_argument("Run: empty argv");
  boost::asio::io_context io;
  std::future<std::string> out, err;
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::child child(Resolve(argv[0]).string(), bp::args(args), MakeEnv(env), bp::std_in.close(), bp::std_out > out,
                  bp::std_err > err, io, DieWithParent{});
  std::thread runner([&] { io.run(); });
  std::error_code ec;
  const bool finished = child.wait_for(timeout, ec);
  if (!finished) child.terminate(ec);
  runner.join();
  CommandResult result;
  result.out = out.get();
  result.err = err.get();
  result.exit_code = finished ? child.exit_code() : -1;
  if (!finished) result.err += "\n[timed out after " + std::to_string(timeout.count()) + " s]";
  return result;
}

CommandResult RunNebula(std::vector<std::string> args) {
  const auto& stack = SharedStack();
  args.insert(args.begin(), stack.bin_dir + "/nebula");
  return Run(args, stack.Env());
}

CommandResult RunDocker(std::vector<std::string> args) {
  args.insert(args.begin(), "docker");
  return Run(args, SharedStack().Env());
}

RemoveContainersOfWorker::~RemoveContainersOfWorker() {
  auto ps = RunDocker({"ps", "-aq", "--filter", "label=dev.nebula.worker=" + worker});
  std::vector<std::string> argv{"rm", "-f"};
  std::istringstream ids(ps.out);
  for (std::string id; ids >> id;) argv.push_back(id);
  if (argv.size() > 2) RunDocker(argv);
}

bool Eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(interval);
  }
}

struct BackgroundProcess::Impl {
  bp::child child;
};

BackgroundProcess::BackgroundProcess(std::vector<std::string> argv, std::map<std::string, std::string> env,
                                     std::string log_path)
    : impl_(std::make_unique<Impl>()), log_path_(std::move(log_path)) {
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  impl_->child = bp::child(Resolve(argv[0]).string(), bp::args(args), MakeEnv(env), bp::std_in.close(),
                           (bp::std_out & bp::std_err) > log_path_, DieWithParent{});
}

BackgroundProcess::~BackgroundProcess() { Stop(); }

bool BackgroundProcess::Running() {
  std::error_code ec;
  return impl_->child.valid() && impl_->child.running(ec);
}

int BackgroundProcess::pid() const { return impl_->child.valid() ? impl_->child.id() : 0; }

int BackgroundProcess::Stop(std::chrono::seconds grace) {
  if (!impl_->child.valid()) return -1;
  std::error_code ec;
  if (impl_->child.running(ec)) {
    ::kill(impl_->child.id(), SIGTERM);
    if (!impl_->child.wait_for(grace, ec)) {
      ::kill(-impl_->child.id(), SIGKILL);  // the whole process group
      impl_->child.wait(ec);
    }
  }
  const int code = impl_->child.exit_code();
  impl_->child.detach();
  impl_->child = bp::child();
  return code;
}

std::string BackgroundProcess::LogTail(size_t bytes) const { return Tail(ReadFile(log_path_), bytes); }

}  // namespace nebula::testing
