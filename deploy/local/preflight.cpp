#include "preflight.h"

#include <elf.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "child_process.h"
#include "readiness.h"

namespace nebula::devstack {
namespace fs = std::filesystem;

namespace {

constexpr const char* kInstallHint = " (or run deploy/local/up, which installs everything)";

bool IsExecutable(const fs::path& path) { return !path.empty() && ::access(path.c_str(), X_OK) == 0; }

fs::path Require(const std::string& program, const std::string& package) {
  fs::path found = FindOnPath(program);
  if (found.empty()) {
    throw StartupError(program + " not found on PATH; install it: apt-get install " + package + kInstallHint);
  }
  return found;
}

}  // namespace

fs::path FindOnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    const fs::path candidate = fs::path(dir) / program;
    if (IsExecutable(candidate) && !fs::is_directory(candidate)) return candidate;
  }
  // sbin is often missing from a non-root PATH, and dockerd/runuser live there.
  for (const char* dir : {"/usr/sbin", "/sbin"}) {
    const fs::path candidate = fs::path(dir) / program;
    if (IsExecutable(candidate)) return candidate;
  }
  return {};
}

fs::path FindDockerd() { return Require("dockerd", "docker.io"); }

bool IsStaticExecutable(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  Elf64_Ehdr header{};
  if (!in.read(reinterpret_cast<char*>(&header), sizeof header)) return false;
  if (std::string(reinterpret_cast<const char*>(header.e_ident), 4) != "\177ELF" ||
      header.e_ident[EI_CLASS] != ELFCLASS64) {
    return false;
  }
  for (int i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr program{};
    in.seekg(static_cast<std::streamoff>(header.e_phoff + static_cast<Elf64_Off>(i) * header.e_phentsize));
    if (!in.read(reinterpret_cast<char*>(&program), sizeof program)) return false;
    if (program.p_type == PT_INTERP) return false;
  }
  return true;
}

Toolbox FindTools(const UpOptions& options, const fs::path& bin_dir) {
  Toolbox tools;
  tools.postgres_bin = options.postgres_bin;
  for (const char* program : {"postgres", "initdb", "pg_isready", "psql"}) {
    if (!IsExecutable(tools.postgres_bin / program)) {
      throw StartupError("PostgreSQL 15 not found (" + (tools.postgres_bin / program).string() +
                         "); install it: apt-get install postgresql-15, or point --postgres-bin at its bin dir" +
                         kInstallHint);
    }
  }
  tools.java = Require("java", "openjdk-17-jre-headless");
  tools.kcat = Require("kcat", "kcat");
  tools.docker_registry = Require("docker-registry", "docker-registry");
  tools.docker = Require("docker", "docker.io");
  tools.tar = Require("tar", "tar");
  if (::geteuid() == 0) tools.runuser = Require("runuser", "util-linux");
  tools.busybox = "/bin/busybox";
  if (!IsExecutable(tools.busybox) || !IsStaticExecutable(tools.busybox)) {
    throw StartupError(
        "a static /bin/busybox is needed for the sample image; install it: apt-get install busybox-static" +
        std::string(kInstallHint));
  }
  if (!fs::exists(options.kafka_libs / ("kafka_2.13-" + std::string(kKafkaVersion) + ".jar"))) {
    throw StartupError("Kafka " + std::string(kKafkaVersion) + " jars not found in " + options.kafka_libs.string() +
                       "; fetch them with deploy/local/up (or tests/run), or point --kafka-libs / NEBULA_KAFKA_LIBS "
                       "at a directory holding kafka_2.13-" +
                       kKafkaVersion + ".jar and its dependencies");
  }
  std::vector<std::string> ours;
  if (options.api_manager) ours.push_back("nebula-api-manager");
  if (options.agents > 0) ours.push_back("nebula-worker-agent");
  for (const auto& program : ours) {
    if (!IsExecutable(bin_dir / program)) {
      throw StartupError(program + " not found next to nebula-devstack in " + bin_dir.string() +
                         "; build it: ninja -C " + bin_dir.parent_path().string() + " " + program);
    }
  }
  return tools;
}

std::pair<int, int> EphemeralPortRange() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  int first = 0, last = 0;
  if (in >> first >> last && first > 0 && last >= first) return {first, last};
  return {kFirstEphemeralPort, kLastEphemeralPort};
}

void CheckPortsFree(const UpOptions& options) {
  const StackPorts ports{options.port_base};
  for (const auto& [what, port] : ports.All(options.agents, options.api_manager)) {
    if (!TcpPortFree(port)) {
      throw StartupError("port " + std::to_string(port) + " (" + what +
                         ") on 127.0.0.1 is already in use; stop "
                         "whatever holds it or choose another --port-base (now " +
                         std::to_string(options.port_base) + ")");
    }
  }
}

}  // namespace nebula::devstack
