#include "common/validation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>
#include <utility>

namespace nebula {
namespace {

using nebula::v1::AppSpec;
using nebula::v1::ContainersPer;

constexpr size_t kMaxImageLength = 512;
constexpr size_t kMaxRepositoryNameLength = 255;  // distribution/reference's NameTotalLengthMax
constexpr size_t kMaxTagLength = 128;
constexpr size_t kMaxEnvNameLength = 1024;
constexpr size_t kMaxPortMappings = 1000;
constexpr size_t kMaxDockerNameLength = 255;
constexpr uint32_t kMaxPort = 65535;
constexpr double kMinCpus = 0.01;  // dockerd's smallest NanoCPUs step it accepts
constexpr double kMaxCpus = 4096;
constexpr int64_t kMaxMemoryMb = int64_t{1} << 30;  // 1 PiB; keeps MiB→bytes conversions far from overflow
constexpr double kMaxContainersPerCore = 1000;
constexpr uint32_t kMaxMinReadySeconds = 3600;
constexpr std::string_view kReservedLabelPrefix = "dev.nebula.";

constexpr std::string_view kImageGrammar =
    "expected [registry[:port]/]path[:tag][@sha256:<64 hex digits>], e.g. \"nginx:1.25\" or "
    "\"registry.example.com:5000/team/app:1.0\"";

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return IsLowerAlnum(c) || (c >= 'A' && c <= 'Z'); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsHexLower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool HasNul(std::string_view s) { return s.find('\0') != std::string_view::npos; }
bool IsAbsolutePath(std::string_view s) { return !s.empty() && s.front() == '/'; }

std::string Str(std::string_view s) { return std::string(s); }

// Docker object names (networks, named volumes): [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool IsDockerName(std::string_view s, size_t min_length) {
  if (s.size() < min_length || s.size() > kMaxDockerNameLength || !IsAlnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return IsAlnum(c) || c == '_' || c == '.' || c == '-'; });
}

std::optional<uint32_t> ParsePort(std::string_view digits) {
  if (digits.empty() || digits.size() > 5) return std::nullopt;
  uint32_t value = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + uint32_t(c - '0');
  }
  if (value == 0 || value > kMaxPort) return std::nullopt;
  return value;
}

// domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool IsDomainName(std::string_view host) {
  if (host.empty()) return false;
  size_t start = 0;
  while (start <= host.size()) {
    size_t dot = host.find('.', start);
    std::string_view part = host.substr(start, dot == std::string_view::npos ? host.size() - start : dot - start);
    if (part.empty() || !IsAlnum(part.front()) || !IsAlnum(part.back())) return false;
    if (!std::all_of(part.begin(), part.end(), [](char c) { return IsAlnum(c) || c == '-'; })) return false;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return true;
}

std::optional<std::string> RegistryProblem(std::string_view domain) {
  std::string_view host = domain;
  std::optional<std::string_view> port;
  if (domain.front() == '[') {
    size_t close = domain.find(']');
    if (close == std::string_view::npos)
      return "registry " + QuoteForMessage(domain) + " opens '[' without closing ']'";
    host = domain.substr(1, close - 1);
    std::string_view after = domain.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return "registry " + QuoteForMessage(domain) + " has text after ']' that is not :<port>";
      port = after.substr(1);
    }
    in6_addr addr{};
    if (!inet_pton(AF_INET6, std::string(host).c_str(), &addr))
      return "registry " + QuoteForMessage(domain) + " is not a valid bracketed IPv6 address";
  } else {
    size_t colon = domain.find(':');
    if (colon != std::string_view::npos) {
      host = domain.substr(0, colon);
      port = domain.substr(colon + 1);
    }
    if (!IsDomainName(host))
      return "registry host " + QuoteForMessage(host) +
             " must be a host name (letters, digits, '-' and '.'), an IPv4 address or a bracketed IPv6 address";
  }
  if (port && !ParsePort(*port)) return "registry port " + QuoteForMessage(*port) + " must be a number from 1 to 65535";
  return std::nullopt;
}

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | [-]+
std::optional<std::string> PathComponentProblem(std::string_view part) {
  const std::string allowed =
      " must be lowercase letters and digits, optionally separated by '.', '_', '__' or runs of '-' "
      "(not at the start or end)";
  if (part.empty())
    return std::string("the repository path has an empty component (\"//\", or '/' at the start or end)");
  size_t i = 0;
  auto alnum_run = [&] {
    size_t begin = i;
    while (i < part.size() && IsLowerAlnum(part[i])) ++i;
    return i > begin;
  };
  if (!alnum_run()) return "repository path component " + QuoteForMessage(part) + allowed;
  while (i < part.size()) {
    char c = part[i];
    if (c == '.') {
      ++i;
    } else if (c == '_') {
      i += (i + 1 < part.size() && part[i + 1] == '_') ? 2 : 1;
    } else if (c == '-') {
      while (i < part.size() && part[i] == '-') ++i;
    } else {
      return "repository path component " + QuoteForMessage(part) + allowed;
    }
    if (!alnum_run()) return "repository path component " + QuoteForMessage(part) + allowed;
  }
  return std::nullopt;
}

std::optional<std::string> TagProblem(std::string_view tag) {
  bool ok = !tag.empty() && tag.size() <= kMaxTagLength && IsWordChar(tag.front()) &&
            std::all_of(tag.begin(), tag.end(), [](char c) { return IsWordChar(c) || c == '.' || c == '-'; });
  if (ok) return std::nullopt;
  return "tag " + QuoteForMessage(tag) +
         " must be 1-128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'";
}

std::optional<std::string> DigestProblem(std::string_view digest) {
  constexpr std::string_view kPrefix = "sha256:";
  if (digest.size() == kPrefix.size() + 64 && digest.substr(0, kPrefix.size()) == kPrefix &&
      std::all_of(digest.begin() + kPrefix.size(), digest.end(), IsHexLower))
    return std::nullopt;
  return "digest " + QuoteForMessage(digest) + " must be sha256: followed by 64 lowercase hex digits";
}

// Collects violations under one field prefix.
class Checker {
 public:
  explicit Checker(std::string_view prefix) : prefix_(prefix) {}

  std::string Path(std::string_view suffix) const {
    if (suffix.empty()) return prefix_;
    if (prefix_.empty()) return Str(suffix.front() == '.' ? suffix.substr(1) : suffix);
    return prefix_ + Str(suffix);
  }
  void Add(std::string_view suffix, std::string description) {
    violations_.push_back({Path(suffix), std::move(description)});
  }
  std::vector<FieldViolation> Take() { return std::move(violations_); }

 private:
  std::string prefix_;
  std::vector<FieldViolation> violations_;
};

std::string Index(std::string_view field, size_t i) { return "." + Str(field) + "[" + std::to_string(i) + "]"; }
std::string MapKey(std::string_view field, std::string_view key) {
  return "." + Str(field) + "[" + QuoteForMessage(key) + "]";
}

// How many containers every host runs, when that does not depend on the host.
std::optional<int64_t> FixedContainerCount(const AppSpec& spec) {
  switch (spec.containers_per().per_case()) {
    case ContainersPer::PER_NOT_SET: return 1;
    case ContainersPer::kInstance: return spec.containers_per().instance();
    default: return std::nullopt;
  }
}

void CheckImage(const AppSpec& spec, Checker& c) {
  if (auto problem = ImageReferenceProblem(spec.image())) c.Add(".image", *problem);
}

void CheckContainersPer(const AppSpec& spec, Checker& c) {
  const auto& per = spec.containers_per();
  switch (per.per_case()) {
    case ContainersPer::PER_NOT_SET: break;
    case ContainersPer::kCpu:
      if (!std::isfinite(per.cpu()) || per.cpu() <= 0 || per.cpu() > kMaxContainersPerCore)
        c.Add(".containers_per.cpu",
              "containers per CPU core must be a number above 0 and at most 1000 (fractions "
              "such as 0.5 are allowed; every host runs at least one container); got " +
                  std::to_string(per.cpu()));
      break;
    case ContainersPer::kMemoryMb:
      if (per.memory_mb() <= 0 || per.memory_mb() > kMaxMemoryMb)
        c.Add(".containers_per.memory_mb", "MiB of host memory per container must be from 1 to " +
                                               std::to_string(kMaxMemoryMb) + "; got " +
                                               std::to_string(per.memory_mb()));
      break;
    case ContainersPer::kInstance:
      if (per.instance() < 1 || per.instance() > kMaxInstancesPerHost)
        c.Add(".containers_per.instance", "containers per host must be from 1 to " +
                                              std::to_string(kMaxInstancesPerHost) + "; got " +
                                              std::to_string(per.instance()));
      break;
  }
}

// Binding these (or nothing) takes the port on every address.
bool IsWildcardAddress(std::string_view ip) { return ip.empty() || ip == "0.0.0.0" || ip == "::"; }

bool IsHostOrNoneNetwork(const AppSpec& spec) {
  return std::any_of(spec.networks().begin(), spec.networks().end(),
                     [](const std::string& n) { return n == "host" || n == "none"; });
}

void CheckPorts(const AppSpec& spec, Checker& c) {
  const auto& ports = spec.ports();
  if (ports.empty()) return;
  if (IsHostOrNoneNetwork(spec))
    c.Add(".ports",
          "port mappings have no effect with network \"host\" or \"none\"; remove them (with \"host\" the "
          "container listens on the host's ports directly)");
  if (static_cast<size_t>(ports.size()) > kMaxPortMappings) {
    c.Add(".ports", "at most " + std::to_string(kMaxPortMappings) + " port mappings are allowed; got " +
                        std::to_string(ports.size()));
    return;
  }
  std::optional<int64_t> count = FixedContainerCount(spec);
  if (count && (*count < 1 || *count > kMaxInstancesPerHost)) count.reset();  // reported by CheckContainersPer
  for (int i = 0; i < ports.size(); ++i) {
    const auto& p = ports[i];
    std::string f = Index("ports", size_t(i));
    bool host_port_ok = p.host_port() >= 1 && p.host_port() <= kMaxPort;
    if (!host_port_ok)
      c.Add(f + ".host_port", "host_port must be from 1 to 65535; got " + std::to_string(p.host_port()));
    if (p.container_port() < 1 || p.container_port() > kMaxPort)
      c.Add(f + ".container_port", "container_port must be from 1 to 65535; got " + std::to_string(p.container_port()));
    if (!nebula::v1::Protocol_IsValid(p.protocol()))
      c.Add(f + ".protocol",
            "protocol must be PROTOCOL_TCP, PROTOCOL_UDP or unset (tcp); got " + std::to_string(p.protocol()));
    if (!p.host_ip().empty() && !IsIpLiteral(p.host_ip()))
      c.Add(f + ".host_ip",
            "host_ip must be empty (the agent's default address) or an IPv4 or IPv6 address such as "
            "127.0.0.1 or ::1; got " +
                QuoteForMessage(p.host_ip()));
    if (host_port_ok && count && p.host_port() + *count - 1 > kMaxPort)
      c.Add(f + ".host_port", "container i binds host_port + i, so with " + std::to_string(*count) +
                                  " containers per host the highest "
                                  "port would be " +
                                  std::to_string(p.host_port() + *count - 1) + "; use a host_port of at most " +
                                  std::to_string(kMaxPort - *count + 1) + " or fewer containers");
  }
  // Two mappings clash when they bind an overlapping host port range with the same protocol on
  // overlapping addresses (an empty host_ip binds every address). With a per-host count that depends
  // on the host only exact duplicates are certain.
  const int64_t span = count.value_or(1);
  auto protocol = [](const nebula::v1::PortMapping& p) {
    return p.protocol() == nebula::v1::PROTOCOL_UNSPECIFIED ? nebula::v1::PROTOCOL_TCP : p.protocol();
  };
  for (int j = 1; j < ports.size(); ++j) {
    const auto& b = ports[j];
    if (b.host_port() < 1 || b.host_port() > kMaxPort) continue;
    for (int i = 0; i < j; ++i) {
      const auto& a = ports[i];
      if (a.host_port() < 1 || a.host_port() > kMaxPort || protocol(a) != protocol(b)) continue;
      if (!IsWildcardAddress(a.host_ip()) && !IsWildcardAddress(b.host_ip()) && a.host_ip() != b.host_ip()) continue;
      int64_t lo = std::max<int64_t>(a.host_port(), b.host_port());
      int64_t hi = std::min<int64_t>(a.host_port() + span - 1, b.host_port() + span - 1);
      if (lo > hi) continue;
      std::string proto = protocol(b) == nebula::v1::PROTOCOL_UDP ? "udp" : "tcp";
      std::string why =
          span > 1 ? " (container i binds host_port + i, so with " + std::to_string(span) + " containers the ranges " +
                         std::to_string(a.host_port()) + "-" + std::to_string(a.host_port() + span - 1) + " and " +
                         std::to_string(b.host_port()) + "-" + std::to_string(b.host_port() + span - 1) + " overlap)"
                   : "";
      c.Add(Index("ports", size_t(j)) + ".host_port",
            proto + " host port " + std::to_string(lo) + " is also bound by ports[" + std::to_string(i) + "]" + why +
                "; every mapping needs its own host ports per protocol and address");
      break;
    }
  }
}

void CheckEnv(const AppSpec& spec, Checker& c) {
  // Map order is unspecified; sort so the same spec always gives the same message.
  std::map<std::string_view, std::string_view> sorted(spec.env().begin(), spec.env().end());
  for (const auto& [name, value] : sorted) {
    if (auto problem = EnvNameProblem(name)) c.Add(MapKey("env", name), *problem);
    if (HasNul(value))
      c.Add(MapKey("env", name), "the value contains a NUL byte, which a process environment cannot carry");
  }
}

void CheckVolumes(const AppSpec& spec, Checker& c) {
  std::map<std::string, size_t> targets;
  for (int i = 0; i < spec.volumes().size(); ++i) {
    const auto& v = spec.volumes(i);
    std::string f = Index("volumes", size_t(i));
    if (v.source().empty()) {
      c.Add(f + ".source", "source is required: an absolute host path such as /srv/data, or a volume name");
    } else if (HasNul(v.source())) {
      c.Add(f + ".source", "source contains a NUL byte");
    } else if (!IsAbsolutePath(v.source()) && !IsDockerName(v.source(), 2)) {
      c.Add(f + ".source",
            "source must be an absolute host path (starting with '/') or a volume name of at least 2 "
            "characters matching [a-zA-Z0-9][a-zA-Z0-9_.-]*; got " +
                QuoteForMessage(v.source()));
    }
    std::string_view target = v.target();
    while (target.size() > 1 && target.back() == '/') target.remove_suffix(1);
    if (!IsAbsolutePath(target)) {
      c.Add(f + ".target",
            "target must be an absolute path in the container, such as /data; got " + QuoteForMessage(v.target()));
    } else if (target == "/") {
      c.Add(f + ".target", "target cannot be \"/\" (the container's root file system); mount below it");
    } else if (HasNul(target)) {
      c.Add(f + ".target", "target contains a NUL byte");
    } else if (auto [it, inserted] = targets.emplace(target, size_t(i)); !inserted) {
      c.Add(f + ".target", "target " + QuoteForMessage(target) + " is already mounted by volumes[" +
                               std::to_string(it->second) + "]; each target may be mounted once");
    }
  }
}

void CheckDevices(const AppSpec& spec, Checker& c) {
  std::map<std::string, size_t> container_paths;
  for (int i = 0; i < spec.devices().size(); ++i) {
    const auto& d = spec.devices(i);
    std::string f = Index("devices", size_t(i));
    bool host_ok = IsAbsolutePath(d.host_path()) && !HasNul(d.host_path());
    if (!host_ok)
      c.Add(f + ".host_path", "host_path must be an absolute path on the host, such as /dev/ttyUSB0; got " +
                                  QuoteForMessage(d.host_path()));
    bool container_ok =
        d.container_path().empty() || (IsAbsolutePath(d.container_path()) && !HasNul(d.container_path()));
    if (!container_ok)
      c.Add(f + ".container_path", "container_path must be empty (same as host_path) or an absolute path; got " +
                                       QuoteForMessage(d.container_path()));
    std::string seen;
    for (char p : d.permissions()) {
      if ((p != 'r' && p != 'w' && p != 'm') || seen.find(p) != std::string::npos) {
        c.Add(f + ".permissions",
              "permissions must be empty (meaning \"rwm\") or each of 'r', 'w', 'm' at most once; "
              "got " +
                  QuoteForMessage(d.permissions()));
        break;
      }
      seen += p;
    }
    const std::string& effective = d.container_path().empty() ? d.host_path() : d.container_path();
    if (host_ok && container_ok) {
      if (auto [it, inserted] = container_paths.emplace(effective, size_t(i)); !inserted)
        c.Add(f + ".container_path", "container path " + QuoteForMessage(effective) + " is already used by devices[" +
                                         std::to_string(it->second) + "]");
    }
  }
}

void CheckNetworks(const AppSpec& spec, Checker& c) {
  std::set<std::string_view> seen;
  for (int i = 0; i < spec.networks().size(); ++i) {
    const std::string& n = spec.networks(i);
    std::string f = Index("networks", size_t(i));
    if (!IsDockerName(n, 1)) {
      c.Add(f,
            "network names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* (at most 255 characters); got " + QuoteForMessage(n));
    } else if (!seen.insert(n).second) {
      c.Add(f, "network " + QuoteForMessage(n) + " is listed twice");
    } else if ((n == "host" || n == "none") && spec.networks().size() > 1) {
      c.Add(f, "network " + QuoteForMessage(n) + " must be the only network of an app; remove the others");
    }
  }
}

void CheckUpdateStrategy(const AppSpec& spec, Checker& c) {
  const auto& u = spec.update_strategy();
  if (u.max_unavailable() > uint32_t(kMaxInstancesPerHost))
    c.Add(".update_strategy.max_unavailable", "max_unavailable must be from 0 (meaning 1) to " +
                                                  std::to_string(kMaxInstancesPerHost) + "; got " +
                                                  std::to_string(u.max_unavailable()));
  if (u.min_ready_seconds() > kMaxMinReadySeconds)
    c.Add(".update_strategy.min_ready_seconds", "min_ready_seconds must be from 0 to " +
                                                    std::to_string(kMaxMinReadySeconds) + " (one hour); got " +
                                                    std::to_string(u.min_ready_seconds()));
}

void CheckResources(const AppSpec& spec, Checker& c) {
  double cpus = spec.resources().cpus();
  if (!std::isfinite(cpus) || cpus < 0 || (cpus > 0 && cpus < kMinCpus) || cpus > kMaxCpus)
    c.Add(".resources.cpus", "cpus must be 0 (unlimited) or from 0.01 to 4096 cores; got " + std::to_string(cpus));
  int64_t memory = spec.resources().memory_mb();
  if (memory < 0 || (memory > 0 && memory < kMinMemoryLimitMb) || memory > kMaxMemoryMb)
    c.Add(".resources.memory_mb", "memory_mb must be 0 (unlimited) or from " + std::to_string(kMinMemoryLimitMb) +
                                      " (dockerd's minimum) to " + std::to_string(kMaxMemoryMb) + "; got " +
                                      std::to_string(memory));
}

void CheckLabels(const AppSpec& spec, Checker& c) {
  std::map<std::string_view, std::string_view> sorted(spec.labels().begin(), spec.labels().end());
  for (const auto& [key, value] : sorted) {
    std::string lower(key);
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return char(std::tolower(ch)); });
    if (key.empty()) {
      c.Add(MapKey("labels", key), "label keys must not be empty");
    } else if (lower.rfind(kReservedLabelPrefix, 0) == 0 || lower == "dev.nebula") {
      c.Add(MapKey("labels", key),
            "label keys under \"dev.nebula.\" are reserved for the agent; choose another "
            "prefix, e.g. \"com.example.\"");
    } else if (HasNul(key) || HasNul(value)) {
      c.Add(MapKey("labels", key), "labels must not contain NUL bytes");
    }
  }
}

void CheckArgv(const google::protobuf::RepeatedPtrField<std::string>& argv, std::string_view field, Checker& c) {
  for (int i = 0; i < argv.size(); ++i)
    if (HasNul(argv[i])) c.Add(Index(field, size_t(i)), "contains a NUL byte, which a process argument cannot carry");
}

void CheckEnums(const AppSpec& spec, Checker& c) {
  if (!nebula::v1::PullPolicy_IsValid(spec.pull_policy()))
    c.Add(".pull_policy",
          "pull_policy must be PULL_POLICY_IF_NOT_PRESENT, PULL_POLICY_ALWAYS, PULL_POLICY_NEVER or "
          "unset; got " +
              std::to_string(spec.pull_policy()));
  if (!nebula::v1::RestartPolicy_IsValid(spec.restart_policy()))
    c.Add(".restart_policy",
          "restart_policy must be RESTART_POLICY_NO, RESTART_POLICY_ALWAYS, "
          "RESTART_POLICY_ON_FAILURE, RESTART_POLICY_UNLESS_STOPPED or unset; got " +
              std::to_string(spec.restart_policy()));
}

}  // namespace

std::string QuoteForMessage(std::string_view value) {
  constexpr size_t kMaxShown = 64;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < value.size() && i < kMaxShown; ++i) {
    unsigned char ch = static_cast<unsigned char>(value[i]);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += char(ch);
    } else if (ch < 0x20 || ch >= 0x7f) {
      out += "\\x";
      out += kHex[ch >> 4];
      out += kHex[ch & 0xf];
    } else {
      out += char(ch);
    }
  }
  if (value.size() > kMaxShown) out += "...";
  out += '"';
  return out;
}

bool IsIpLiteral(std::string_view text) {
  if (text.empty() || text.size() > 45) return false;
  std::string s(text);
  in_addr v4{};
  in6_addr v6{};
  return inet_pton(AF_INET, s.c_str(), &v4) == 1 || inet_pton(AF_INET6, s.c_str(), &v6) == 1;
}

std::optional<std::string> DnsLabelProblem(std::string_view name) {
  constexpr std::string_view kRule =
      "must be a DNS label: 1-63 lowercase letters, digits or '-', starting and ending with a letter or digit";
  if (name.empty()) return "is required and " + Str(kRule);
  if (name.size() > 63) return Str(kRule) + "; got " + std::to_string(name.size()) + " characters";
  if (!std::all_of(name.begin(), name.end(), [](char c) { return IsLowerAlnum(c) || c == '-'; }) ||
      name.front() == '-' || name.back() == '-')
    return Str(kRule) + "; got " + QuoteForMessage(name);
  return std::nullopt;
}

std::optional<std::string> EnvNameProblem(std::string_view name) {
  if (name.empty()) return std::string("environment variable names must not be empty");
  bool ok = name.size() <= kMaxEnvNameLength &&
            (std::isalpha(static_cast<unsigned char>(name.front())) || name.front() == '_') &&
            std::all_of(name.begin(), name.end(), [](char c) { return IsWordChar(c); });
  if (ok) return std::nullopt;
  return "environment variable name " + QuoteForMessage(name) +
         " must match [A-Za-z_][A-Za-z0-9_]* (letters, digits and '_', not starting with a digit)";
}

std::optional<std::string> ImageReferenceProblem(std::string_view image) {
  if (image.empty()) return "image is required; " + Str(kImageGrammar);
  if (image.size() > kMaxImageLength)
    return "image reference is " + std::to_string(image.size()) + " characters long; at most " +
           std::to_string(kMaxImageLength) + " are allowed";
  auto wrap = [&](const std::string& problem) {
    return "image " + QuoteForMessage(image) + ": " + problem + "; " + Str(kImageGrammar);
  };

  std::string_view rest = image;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    if (auto problem = DigestProblem(rest.substr(at + 1))) return wrap(*problem);
    rest = rest.substr(0, at);
  }
  // The first component is a registry if it looks like a host (docker's own rule).
  std::string_view domain;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    bool has_upper = std::any_of(first.begin(), first.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; });
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" || has_upper) {
      domain = first;
      rest = rest.substr(slash + 1);
    }
  }
  std::string_view path = rest;
  if (size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    if (auto problem = TagProblem(rest.substr(colon + 1))) return wrap(*problem);
    path = rest.substr(0, colon);
  }
  if (!domain.empty()) {
    if (auto problem = RegistryProblem(domain)) return wrap(*problem);
  }
  if (path.empty()) return wrap("the repository path is missing");
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string_view part =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (auto problem = PathComponentProblem(part)) return wrap(*problem);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  size_t name_length = (domain.empty() ? 0 : domain.size() + 1) + path.size();
  if (name_length > kMaxRepositoryNameLength)
    return wrap("the repository name is " + std::to_string(name_length) + " characters long; at most 255 are allowed");
  return std::nullopt;
}

std::vector<FieldViolation> ValidateAppName(std::string_view name, std::string_view field) {
  if (auto problem = DnsLabelProblem(name)) return {{Str(field), "app name " + *problem}};
  return {};
}

std::vector<FieldViolation> ValidateAppSpec(const AppSpec& spec, std::string_view field_prefix) {
  Checker c(field_prefix);
  size_t bytes = spec.ByteSizeLong();
  if (bytes > kMaxAppSpecBytes) {
    // Don't walk a huge spec: its size alone is the problem to fix.
    c.Add("", "the spec is " + std::to_string(bytes) + " bytes serialized; at most " +
                  std::to_string(kMaxAppSpecBytes) +
                  " are allowed (ship large configuration in the image or a volume)");
    return c.Take();
  }
  CheckImage(spec, c);
  CheckContainersPer(spec, c);
  CheckPorts(spec, c);
  CheckEnv(spec, c);
  CheckVolumes(spec, c);
  CheckDevices(spec, c);
  CheckNetworks(spec, c);
  CheckUpdateStrategy(spec, c);
  CheckResources(spec, c);
  CheckLabels(spec, c);
  CheckArgv(spec.command(), "command", c);
  CheckArgv(spec.args(), "args", c);
  CheckEnums(spec, c);
  return c.Take();
}

}  // namespace nebula
