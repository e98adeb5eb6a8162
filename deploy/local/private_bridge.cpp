#include "private_bridge.h"

#include <arpa/inet.h>

#include <bit>
#include <cstdio>
#include <sstream>

namespace nebula::devstack {
namespace fs = std::filesystem;

namespace {

// FNV-1a: the same name for the same dir in every build (std::hash promises no such thing).
uint32_t StableHash(const std::string& text) {
  uint32_t hash = 2166136261u;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 16777619u;
  }
  return hash;
}

uint32_t Mask(int prefix) { return prefix <= 0 ? 0 : 0xFFFFFFFFu << (32 - prefix); }

constexpr uint32_t kPoolBase = (10u << 24) | (208u << 16);  // 10.208.0.0/12
constexpr uint32_t kPoolSubnets = 1u << 12;                 // /24s in it

}  // namespace

std::string PrivateBridgeName(const fs::path& docker_dir) {
  char name[16];
  std::snprintf(name, sizeof name, "%s%08x", kPrivateBridgePrefix, StableHash(docker_dir.lexically_normal().string()));
  return name;
}

bool Overlaps(const Ipv4Net& a, const Ipv4Net& b) {
  const uint32_t mask = Mask(std::min(a.prefix, b.prefix));
  return (a.address & mask) == (b.address & mask);
}

std::optional<Ipv4Net> ParseCidr(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  in_addr address{};
  if (::inet_pton(AF_INET, text.substr(0, slash).c_str(), &address) != 1) return std::nullopt;
  int prefix = -1;
  try {
    size_t used = 0;
    prefix = std::stoi(text.substr(slash + 1), &used);
    if (used != text.size() - slash - 1) return std::nullopt;
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (prefix < 0 || prefix > 32) return std::nullopt;
  return Ipv4Net{ntohl(address.s_addr), prefix};
}

std::string FormatCidr(const Ipv4Net& net) {
  in_addr address{htonl(net.address)};
  char text[INET_ADDRSTRLEN] = {};
  ::inet_ntop(AF_INET, &address, text, sizeof text);
  return std::string(text) + "/" + std::to_string(net.prefix);
}

std::vector<Ipv4Net> ParseProcNetRoute(const std::string& text) {
  std::vector<Ipv4Net> routes;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string iface, destination, gateway, flags, refcnt, use, metric, mask;
    if (!(fields >> iface >> destination >> gateway >> flags >> refcnt >> use >> metric >> mask)) continue;
    try {
      // Printed as the raw 32-bit word in memory, i.e. network byte order: ntohl gives the address.
      const uint32_t dest = ntohl(static_cast<uint32_t>(std::stoul(destination, nullptr, 16)));
      const uint32_t netmask = ntohl(static_cast<uint32_t>(std::stoul(mask, nullptr, 16)));
      const int prefix = std::popcount(netmask);
      if (prefix == 0) continue;
      routes.push_back({dest, prefix});
    } catch (const std::exception&) {
      continue;
    }
  }
  return routes;
}

std::optional<Ipv4Net> ChooseBridgeAddress(const fs::path& docker_dir, const std::vector<Ipv4Net>& routes) {
  const uint32_t start = StableHash(docker_dir.lexically_normal().string()) % kPoolSubnets;
  for (uint32_t i = 0; i < kPoolSubnets; ++i) {
    const Ipv4Net subnet{kPoolBase + (((start + i) % kPoolSubnets) << 8), 24};
    bool taken = false;
    for (const auto& route : routes) taken = taken || Overlaps(subnet, route);
    if (!taken) return Ipv4Net{subnet.address + 1, 24};
  }
  return std::nullopt;
}

}  // namespace nebula::devstack
