// Where a private dockerd's containers get their addresses: a bridge of its own, never docker0, whose
// address and iptables rules belong to the system dockerd. Pure decisions; docker_daemon.cpp creates it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace nebula::devstack {

inline constexpr const char* kPrivateBridgePrefix = "nebd";

// "nebd" + 8 hex digits of a hash of the docker dir: stable across restarts, unique per dir, within
// the kernel's 15 characters for interface names.
std::string PrivateBridgeName(const std::filesystem::path& docker_dir);

struct Ipv4Net {
  uint32_t address = 0;  // host byte order
  int prefix = 0;
  bool operator==(const Ipv4Net&) const = default;
};

bool Overlaps(const Ipv4Net& a, const Ipv4Net& b);
std::optional<Ipv4Net> ParseCidr(const std::string& text);  // "10.1.2.1/24"
std::string FormatCidr(const Ipv4Net& net);

// The destinations of /proc/net/route (the kernel prints them as hex in network byte order), default
// routes left out: they overlap everything.
std::vector<Ipv4Net> ParseProcNetRoute(const std::string& text);

// The bridge's own address, "10.x.y.1/24": the first /24 in 10.208.0.0/12, searched from a start that
// depends on the docker dir, that overlaps no route of the host. Empty when all 4096 are taken.
std::optional<Ipv4Net> ChooseBridgeAddress(const std::filesystem::path& docker_dir, const std::vector<Ipv4Net>& routes);

}  // namespace nebula::devstack
