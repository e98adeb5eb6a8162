#include <utility>  // before Boost.Process (pulled in by the devstack's headers): Boost 1.74 + GCC 12

#include "private_dockerd.h"

#include <sys/mount.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "child_process.h"
#include "docker_daemon.h"

namespace fs = std::filesystem;

namespace nebula::testing {

struct PrivateDockerd::Impl {
  std::unique_ptr<devstack::ChildProcess> daemon;
};

namespace {

// /proc/self/mountinfo escapes blanks in paths as octal (\040).
std::string Unescape(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8));
      i += 3;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace

void RemoveTreeWithMounts(const std::string& dir) {
  if (dir.empty()) return;
  const std::string prefix = fs::path(dir).lexically_normal().string() + "/";
  std::vector<std::string> mounts;
  std::ifstream in("/proc/self/mountinfo");
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string id, parent, device, root, point;
    if (!(fields >> id >> parent >> device >> root >> point)) continue;
    point = Unescape(point);
    if (point.rfind(prefix, 0) == 0) mounts.push_back(point);
  }
  std::sort(mounts.begin(), mounts.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& point : mounts) ::umount2(point.c_str(), MNT_DETACH);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

PrivateDockerd::PrivateDockerd(std::string dir, bool live_restore)
    : impl_(std::make_unique<Impl>()),
      dir_(fs::absolute(dir).lexically_normal().string()),
      host_(devstack::PrivateDockerHost(dir_)),
      live_restore_(live_restore) {
  fs::create_directories(dir_);
  Start();
}

PrivateDockerd::~PrivateDockerd() {
  try {
    // With live restore, containers outlive dockerd: bring it back to remove them.
    if (!Running() && live_restore_) Start();
    if (Running()) {
      const auto ids = Docker({"ps", "-aq"}, std::chrono::seconds(30));
      std::vector<std::string> rm{"rm", "-f"};
      std::istringstream in(ids.out);
      for (std::string id; in >> id;) rm.push_back(id);
      if (rm.size() > 2) Docker(rm, std::chrono::seconds(60));
    }
  } catch (const std::exception&) {
  }
  Stop();
  try {
    devstack::RemovePrivateBridge(dir_, dir_ + "/dockerd.log");
  } catch (const std::exception&) {
  }
  if (!std::getenv("NEBULA_TEST_KEEP_STATE")) RemoveTreeWithMounts(dir_);
}

void PrivateDockerd::Start() {
  if (Running()) return;
  impl_->daemon = devstack::StartPrivateDockerd(dir_, dir_ + "/dockerd.log", live_restore_);
}

bool PrivateDockerd::Stop(std::chrono::seconds grace) {
  if (!impl_->daemon) return true;
  const bool graceful = impl_->daemon->Stop(grace);
  impl_->daemon.reset();
  return graceful;
}

bool PrivateDockerd::Running() const { return impl_->daemon && impl_->daemon->Running(); }

pid_t PrivateDockerd::pid() const { return impl_->daemon ? impl_->daemon->pid() : 0; }

std::string PrivateDockerd::LogTail() const { return Tail(ReadFile(dir_ + "/dockerd.log"), 4000); }

CommandResult PrivateDockerd::Docker(std::vector<std::string> args, std::chrono::seconds timeout) const {
  args.insert(args.begin(), "docker");
  return Run(args, {{"DOCKER_HOST", host_}}, timeout);
}

}  // namespace nebula::testing
