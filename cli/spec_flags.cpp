#include "spec_flags.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <set>

#include "common/error.h"

namespace nebula::cli {

namespace {

constexpr std::string_view kPortFormat = "[HOST_IP:]HOST:CONTAINER[/tcp|udp], e.g. 8080:80 or 127.0.0.1:5353:53/udp";
constexpr std::string_view kVolumeFormat = "SRC:DST[:ro|rw], e.g. /srv/data:/data:ro";
constexpr std::string_view kDeviceFormat =
    "HOST[:CONTAINER[:PERMISSIONS]] with PERMISSIONS from r, w, m, e.g. /dev/ttyUSB0:/dev/ttyS0:rw";
constexpr std::string_view kContainersPerFormat =
    "cpu=X (per core, X > 0), memory=MIB (one per MIB MiB) or instance=N, e.g. cpu=2";

[[noreturn]] void Reject(std::string_view flag, std::string_view value, std::string_view problem) {
  std::string description(problem);
  std::string message = std::string(flag) + " \"" + std::string(value) + "\": " + description;
  throw Error(ErrorCode::kInvalidArgument, std::move(message), {{std::string(flag), std::move(description)}});
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t at = text.find(separator, start);
    if (at == std::string_view::npos) {
      parts.push_back(text.substr(start));
      return parts;
    }
    parts.push_back(text.substr(start, at - start));
    start = at + 1;
  }
}

template <typename Int>
std::optional<Int> ToInt(std::string_view text) {
  Int value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> ToDouble(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) return std::nullopt;
  return value;
}

uint32_t ParsePortNumber(std::string_view value, std::string_view port, std::string_view which) {
  const auto number = ToInt<uint32_t>(port);
  if (!number || *number < 1 || *number > 65535)
    Reject("--port", value, std::string(which) + " port must be 1-65535; expected " + std::string(kPortFormat));
  return *number;
}

template <typename Int>
Int ParseInt(std::string_view flag, std::string_view value, Int min, std::string_view what) {
  const auto number = ToInt<Int>(value);
  if (!number || *number < min) Reject(flag, value, "expected " + std::string(what));
  return *number;
}

double ParseNonNegativeDouble(std::string_view flag, std::string_view value, std::string_view what) {
  const auto number = ToDouble(value);
  if (!number || *number < 0) Reject(flag, value, "expected " + std::string(what));
  return *number;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

template <typename Map>
void FillMap(std::string_view flag, const std::vector<std::string>& values, Map* map) {
  for (const auto& value : values) {
    auto [key, val] = ParseKeyValue(flag, value);
    if (map->count(key) != 0) Reject(flag, value, "key \"" + key + "\" is given more than once");
    (*map)[key] = val;
  }
}

}  // namespace

v1::PortMapping ParsePort(std::string_view value) {
  v1::PortMapping port;
  std::string_view rest = value;
  if (const size_t slash = rest.rfind('/'); slash != std::string_view::npos) {
    const std::string protocol = Lower(rest.substr(slash + 1));
    if (protocol == "tcp")
      port.set_protocol(v1::PROTOCOL_TCP);
    else if (protocol == "udp")
      port.set_protocol(v1::PROTOCOL_UDP);
    else
      Reject("--port", value, "protocol must be tcp or udp; expected " + std::string(kPortFormat));
    rest = rest.substr(0, slash);
  }
  if (!rest.empty() && rest.front() == '[') {  // [IPv6]:HOST:CONTAINER
    const size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
      Reject("--port", value, "expected " + std::string(kPortFormat) + " (IPv6 addresses in brackets)");
    port.set_host_ip(std::string(rest.substr(1, close - 1)));
    rest = rest.substr(close + 2);
    if (port.host_ip().empty()) Reject("--port", value, "empty host address; expected " + std::string(kPortFormat));
  }
  auto parts = Split(rest, ':');
  if (parts.size() == 3 && port.host_ip().empty()) {
    if (parts[0].empty()) Reject("--port", value, "empty host address; expected " + std::string(kPortFormat));
    port.set_host_ip(std::string(parts[0]));
    parts.erase(parts.begin());
  }
  if (parts.size() != 2) Reject("--port", value, "expected " + std::string(kPortFormat));
  port.set_host_port(ParsePortNumber(value, parts[0], "host"));
  port.set_container_port(ParsePortNumber(value, parts[1], "container"));
  return port;
}

std::pair<std::string, std::string> ParseKeyValue(std::string_view flag, std::string_view value) {
  const size_t eq = value.find('=');
  if (eq == std::string_view::npos || eq == 0) Reject(flag, value, "expected KEY=VALUE, e.g. MODE=prod");
  return {std::string(value.substr(0, eq)), std::string(value.substr(eq + 1))};
}

v1::VolumeMount ParseVolume(std::string_view value) {
  const auto parts = Split(value, ':');
  if (parts.size() < 2 || parts.size() > 3 || parts[0].empty() || parts[1].empty())
    Reject("--volume", value, "expected " + std::string(kVolumeFormat));
  if (parts[1].front() != '/')
    Reject("--volume", value, "DST must be an absolute path; expected " + std::string(kVolumeFormat));
  v1::VolumeMount volume;
  volume.set_source(std::string(parts[0]));
  volume.set_target(std::string(parts[1]));
  if (parts.size() == 3) {
    if (parts[2] == "ro")
      volume.set_read_only(true);
    else if (parts[2] != "rw")
      Reject("--volume", value, "mode must be ro or rw; expected " + std::string(kVolumeFormat));
  }
  return volume;
}

v1::DeviceMapping ParseDevice(std::string_view value) {
  const auto parts = Split(value, ':');
  if (parts.size() > 3 || parts[0].empty()) Reject("--device", value, "expected " + std::string(kDeviceFormat));
  v1::DeviceMapping device;
  device.set_host_path(std::string(parts[0]));
  if (parts.size() >= 2) device.set_container_path(std::string(parts[1]));
  if (parts.size() == 3) {
    const std::string_view permissions = parts[2];
    std::set<char> seen;
    for (const char c : permissions) {
      if ((c != 'r' && c != 'w' && c != 'm') || !seen.insert(c).second)
        Reject("--device", value,
               "permissions must be distinct letters from r, w, m; expected " + std::string(kDeviceFormat));
    }
    if (permissions.empty()) Reject("--device", value, "empty permissions; expected " + std::string(kDeviceFormat));
    device.set_permissions(std::string(permissions));
  }
  return device;
}

v1::ContainersPer ParseContainersPer(std::string_view value) {
  const size_t eq = value.find('=');
  if (eq == std::string_view::npos) Reject("--containers-per", value, "expected " + std::string(kContainersPerFormat));
  const std::string_view key = value.substr(0, eq);
  const std::string_view number = value.substr(eq + 1);
  v1::ContainersPer per;
  if (key == "cpu") {
    const auto cpu = ToDouble(number);
    if (!cpu || *cpu <= 0)
      Reject("--containers-per", value, "cpu must be a number > 0; expected " + std::string(kContainersPerFormat));
    per.set_cpu(*cpu);
  } else if (key == "memory") {
    const auto mib = ToInt<int64_t>(number);
    if (!mib || *mib <= 0)
      Reject("--containers-per", value,
             "memory must be a whole number of MiB > 0; expected " + std::string(kContainersPerFormat));
    per.set_memory_mb(*mib);
  } else if (key == "instance") {
    const auto count = ToInt<int32_t>(number);
    if (!count || *count <= 0)
      Reject("--containers-per", value,
             "instance must be a whole number > 0; expected " + std::string(kContainersPerFormat));
    per.set_instance(*count);
  } else {
    Reject("--containers-per", value,
           "unknown key \"" + std::string(key) + "\"; expected " + std::string(kContainersPerFormat));
  }
  return per;
}

v1::PullPolicy ParsePullPolicy(std::string_view value) {
  if (value == "always") return v1::PULL_POLICY_ALWAYS;
  if (value == "if-not-present") return v1::PULL_POLICY_IF_NOT_PRESENT;
  if (value == "never") return v1::PULL_POLICY_NEVER;
  Reject("--pull", value, "expected always, if-not-present or never");
}

v1::RestartPolicy ParseRestartPolicy(std::string_view value) {
  if (value == "no") return v1::RESTART_POLICY_NO;
  if (value == "always") return v1::RESTART_POLICY_ALWAYS;
  if (value == "on-failure") return v1::RESTART_POLICY_ON_FAILURE;
  if (value == "unless-stopped") return v1::RESTART_POLICY_UNLESS_STOPPED;
  Reject("--restart-policy", value, "expected no, always, on-failure or unless-stopped");
}

const std::vector<std::string>& ClearableFields() {
  static const std::vector<std::string> fields = {"ports",    "env",     "volumes", "devices",
                                                  "networks", "command", "args",    "labels"};
  return fields;
}

SpecChange BuildSpecChange(const SpecFlags& flags) {
  SpecChange change;
  auto& spec = change.spec;
  auto& mask = change.update_mask;

  std::set<std::string> cleared;
  for (const auto& field : flags.clear) {
    if (std::find(ClearableFields().begin(), ClearableFields().end(), field) == ClearableFields().end())
      Reject("--clear", field, "expected one of ports, env, volumes, devices, networks, command, args, labels");
    cleared.insert(field);
  }
  // A list/map flag or --clear of the same field: both mean "replace this field".
  auto list_field = [&](std::string_view field, std::string_view flag, const auto& given) {
    const bool clear = cleared.count(std::string(field)) != 0;
    if (clear && given) Reject("--clear", field, std::string("conflicts with ") + std::string(flag));
    if (clear || given) mask.push_back("spec." + std::string(field));
    return given.has_value();
  };

  if (flags.image) {
    if (flags.image->empty()) Reject("--image", *flags.image, "expected an image reference, e.g. nginx:1.27");
    spec.set_image(*flags.image);
    mask.push_back("spec.image");
  }
  if (flags.running) {
    spec.set_running(*flags.running);
    mask.push_back("spec.running");
  }
  if (flags.containers && flags.containers_per)
    Reject("--containers", *flags.containers, "cannot be combined with --containers-per");
  if (flags.containers) {
    spec.mutable_containers_per()->set_instance(
        ParseInt<int32_t>("--containers", *flags.containers, 1, "a whole number > 0 (containers per host)"));
    mask.push_back("spec.containers_per");
  }
  if (flags.containers_per) {
    *spec.mutable_containers_per() = ParseContainersPer(*flags.containers_per);
    mask.push_back("spec.containers_per");
  }
  if (list_field("ports", "--port", flags.ports))
    for (const auto& value : *flags.ports) *spec.add_ports() = ParsePort(value);
  if (list_field("env", "--env", flags.env)) FillMap("--env", *flags.env, spec.mutable_env());
  if (list_field("volumes", "--volume", flags.volumes))
    for (const auto& value : *flags.volumes) *spec.add_volumes() = ParseVolume(value);
  if (list_field("devices", "--device", flags.devices))
    for (const auto& value : *flags.devices) *spec.add_devices() = ParseDevice(value);
  if (flags.privileged) {
    spec.set_privileged(*flags.privileged);
    mask.push_back("spec.privileged");
  }
  if (list_field("networks", "--network", flags.networks)) {
    for (const auto& value : *flags.networks) {
      if (value.empty()) Reject("--network", value, "expected a Docker network name, e.g. backend");
      spec.add_networks(value);
    }
  }
  if (flags.rolling) {
    spec.mutable_update_strategy()->set_rolling(*flags.rolling);
    mask.push_back("spec.update_strategy.rolling");
  }
  if (flags.max_unavailable) {
    spec.mutable_update_strategy()->set_max_unavailable(ParseInt<uint32_t>(
        "--max-unavailable", *flags.max_unavailable, 0, "a whole number >= 0 (containers replaced per batch)"));
    mask.push_back("spec.update_strategy.max_unavailable");
  }
  if (flags.min_ready_seconds) {
    spec.mutable_update_strategy()->set_min_ready_seconds(
        ParseInt<uint32_t>("--min-ready-seconds", *flags.min_ready_seconds, 0, "a whole number of seconds >= 0"));
    mask.push_back("spec.update_strategy.min_ready_seconds");
  }
  if (flags.health_gated) {
    spec.mutable_update_strategy()->set_health_gated(*flags.health_gated);
    mask.push_back("spec.update_strategy.health_gated");
  }
  if (flags.pull) {
    spec.set_pull_policy(ParsePullPolicy(*flags.pull));
    mask.push_back("spec.pull_policy");
  }
  if (list_field("command", "--command", flags.command))
    for (const auto& value : *flags.command) spec.add_command(value);
  if (list_field("args", "--arg", flags.args))
    for (const auto& value : *flags.args) spec.add_args(value);
  if (flags.cpus) {
    spec.mutable_resources()->set_cpus(
        ParseNonNegativeDouble("--cpus", *flags.cpus, "a number of cores >= 0, e.g. 0.5 (0 = unlimited)"));
    mask.push_back("spec.resources.cpus");
  }
  if (flags.memory) {
    spec.mutable_resources()->set_memory_mb(
        ParseInt<int64_t>("--memory", *flags.memory, 0, "a whole number of MiB >= 0, e.g. 512 (0 = unlimited)"));
    mask.push_back("spec.resources.memory_mb");
  }
  if (list_field("labels", "--label", flags.labels)) FillMap("--label", *flags.labels, spec.mutable_labels());
  if (flags.restart_policy) {
    spec.set_restart_policy(ParseRestartPolicy(*flags.restart_policy));
    mask.push_back("spec.restart_policy");
  }
  return change;
}

namespace {

template <typename Field, typename Same>
void MergeList(const Field& current, Field* given, Same&& same) {
  Field merged = current;
  for (const auto& item : *given) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const auto& old) { return same(old, item); });
    if (it != merged.end())
      *it = item;
    else
      *merged.Add() = item;
  }
  *given = std::move(merged);
}

bool Masked(const SpecChange& change, const std::string& path) {
  return std::find(change.update_mask.begin(), change.update_mask.end(), path) != change.update_mask.end();
}

}  // namespace

SpecChange MergeIntoCurrent(const v1::AppSpec& current, SpecChange change) {
  auto& spec = change.spec;
  // A field that is in the mask but empty in the change was --clear'ed: leave it empty.
  if (Masked(change, "spec.env") && !spec.env().empty()) {
    auto given = spec.env();
    *spec.mutable_env() = current.env();
    for (const auto& [k, v] : given) (*spec.mutable_env())[k] = v;
  }
  if (Masked(change, "spec.labels") && !spec.labels().empty()) {
    auto given = spec.labels();
    *spec.mutable_labels() = current.labels();
    for (const auto& [k, v] : given) (*spec.mutable_labels())[k] = v;
  }
  if (Masked(change, "spec.ports") && spec.ports_size() > 0)
    MergeList(current.ports(), spec.mutable_ports(), [](const v1::PortMapping& a, const v1::PortMapping& b) {
      const auto proto = [](v1::Protocol p) { return p == v1::PROTOCOL_UNSPECIFIED ? v1::PROTOCOL_TCP : p; };
      return a.host_port() == b.host_port() && proto(a.protocol()) == proto(b.protocol());
    });
  if (Masked(change, "spec.volumes") && spec.volumes_size() > 0)
    MergeList(current.volumes(), spec.mutable_volumes(),
              [](const v1::VolumeMount& a, const v1::VolumeMount& b) { return a.target() == b.target(); });
  if (Masked(change, "spec.devices") && spec.devices_size() > 0)
    MergeList(current.devices(), spec.mutable_devices(),
              [](const v1::DeviceMapping& a, const v1::DeviceMapping& b) { return a.host_path() == b.host_path(); });
  if (Masked(change, "spec.networks") && spec.networks_size() > 0)
    MergeList(current.networks(), spec.mutable_networks(),
              [](const std::string& a, const std::string& b) { return a == b; });
  return change;
}

CronJobChange BuildCronJobChange(const SpecFlags& flags, const std::optional<std::string>& schedule) {
  for (const auto& field : flags.clear)
    if (field == "ports" || field == "labels")
      Reject("--clear", field,
             "a cron job has no " + field + "; expected env, volumes, devices, networks, command or args");
  const SpecChange app = BuildSpecChange(flags);
  CronJobChange change;
  auto& job = change.job;
  auto* spec = job.mutable_spec();
  spec->set_image(app.spec.image());
  *spec->mutable_env() = app.spec.env();
  *spec->mutable_volumes() = app.spec.volumes();
  *spec->mutable_devices() = app.spec.devices();
  spec->set_privileged(app.spec.privileged());
  *spec->mutable_networks() = app.spec.networks();
  *spec->mutable_command() = app.spec.command();
  *spec->mutable_args() = app.spec.args();
  if (app.spec.has_resources()) *spec->mutable_resources() = app.spec.resources();
  spec->set_pull_policy(app.spec.pull_policy());
  if (schedule) {
    if (schedule->empty())
      Reject("--schedule", *schedule, "expected a five-field cron expression, e.g. \"*/5 * * * *\"");
    job.set_schedule(*schedule);
    change.update_mask.push_back("schedule");
  }
  for (const auto& path : app.update_mask) {
    if (path == "spec.running") {
      job.set_running(app.spec.running());
      change.update_mask.push_back("running");
    } else {
      change.update_mask.push_back(path);
    }
  }
  return change;
}

std::pair<std::string, v1::Access> ParseGrant(std::string_view flag, std::string_view value) {
  const size_t eq = value.rfind('=');
  if (eq == std::string_view::npos || eq == 0) Reject(flag, value, "expected PATTERN=ro|rw, e.g. web-*=rw or *=ro");
  const std::string_view access = value.substr(eq + 1);
  if (access == "ro") return {std::string(value.substr(0, eq)), v1::ACCESS_RO};
  if (access == "rw") return {std::string(value.substr(0, eq)), v1::ACCESS_RW};
  Reject(flag, value, "access must be ro or rw; expected PATTERN=ro|rw");
}

}  // namespace nebula::cli
