// Everything `up` needs from the machine, checked before anything starts, each failure one line that
// says what to install.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

#include "stack_plan.h"

namespace nebula::devstack {

// Absolute paths of the external programs the stack runs.
struct Toolbox {
  std::filesystem::path postgres_bin;  // initdb, postgres, pg_isready, psql
  std::filesystem::path java;
  std::filesystem::path kcat;
  std::filesystem::path docker_registry;
  std::filesystem::path docker;  // the CLI: import, push, container cleanup
  std::filesystem::path busybox;
  std::filesystem::path tar;
  std::filesystem::path runuser;
};

// Throws StartupError naming the first missing program and the Debian package that provides it.
Toolbox FindTools(const UpOptions& options, const std::filesystem::path& bin_dir);

// Searches PATH; empty when not found.
std::filesystem::path FindOnPath(const std::string& program);

// The dockerd binary, or a StartupError saying to install docker.io.
std::filesystem::path FindDockerd();

// A statically linked ELF (no PT_INTERP), i.e. runnable inside an empty image.
bool IsStaticExecutable(const std::filesystem::path& path);

// The kernel's range for outgoing connections' ports (/proc/sys/net/ipv4/ip_local_port_range), or
// Linux's default when it cannot be read.
std::pair<int, int> EphemeralPortRange();

// Throws StartupError naming a port that something else already holds.
void CheckPortsFree(const UpOptions& options);

}  // namespace nebula::devstack
