#include "worker-agent/core/container_spec.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "worker-agent/core/config_hash.h"
#include "worker-agent/core/container_labels.h"

namespace nebula::agent {

namespace {

std::vector<std::string> SortedEnv(const google::protobuf::Map<std::string, std::string>& env) {
  std::vector<std::pair<std::string, std::string>> pairs(env.begin(), env.end());
  std::sort(pairs.begin(), pairs.end());
  std::vector<std::string> out;
  out.reserve(pairs.size());
  for (auto& [key, value] : pairs) out.push_back(key + "=" + value);
  return out;
}

int64_t NanoCpus(double cpus) {
  if (!std::isfinite(cpus) || cpus <= 0) return 0;
  if (cpus > 1e6) return 0;  // nonsense; unlimited rather than overflow
  return std::llround(cpus * 1e9);
}

int64_t MemoryBytes(int64_t memory_mb) {
  if (memory_mb <= 0 || memory_mb > (INT64_MAX >> 20)) return 0;
  return memory_mb << 20;
}

}  // namespace

std::string RestartPolicyName(v1::RestartPolicy policy) {
  switch (policy) {
    case v1::RESTART_POLICY_NO: return "no";
    case v1::RESTART_POLICY_ALWAYS: return "always";
    case v1::RESTART_POLICY_ON_FAILURE: return "on-failure";
    default: return "unless-stopped";
  }
}

ContainerSpec BuildContainerSpec(std::string_view app, const v1::AppSpec& spec, int64_t generation, int32_t index,
                                 const AgentSettings& settings) {
  ContainerSpec c;
  c.app = std::string(app);
  c.index = index;
  c.generation = generation;
  c.image = spec.image();
  c.entrypoint.assign(spec.command().begin(), spec.command().end());
  c.cmd.assign(spec.args().begin(), spec.args().end());
  c.env = SortedEnv(spec.env());
  for (const auto& p : spec.ports()) {
    PortBinding b;
    b.host_ip = p.host_ip().empty() ? settings.default_host_ip : p.host_ip();
    b.host_port = p.host_port() == 0 ? 0 : p.host_port() + static_cast<uint32_t>(index);
    b.container_port = p.container_port();
    b.protocol = p.protocol() == v1::PROTOCOL_UDP ? "udp" : "tcp";
    c.ports.push_back(std::move(b));
  }
  for (const auto& v : spec.volumes()) c.volumes.push_back({v.source(), v.target(), v.read_only()});
  for (const auto& d : spec.devices()) {
    c.devices.push_back({d.host_path(), d.container_path().empty() ? d.host_path() : d.container_path(),
                         d.permissions().empty() ? "rwm" : d.permissions()});
  }
  c.privileged = spec.privileged();
  c.networks.assign(spec.networks().begin(), spec.networks().end());
  c.nano_cpus = NanoCpus(spec.resources().cpus());
  c.memory_bytes = MemoryBytes(spec.resources().memory_mb());
  c.restart_policy = RestartPolicyName(spec.restart_policy());
  c.restart_nonce = spec.restart_nonce();
  for (const auto& [key, value] : spec.labels()) {
    if (key.rfind(kReservedLabelPrefix, 0) != 0) c.user_labels.emplace(key, value);
  }

  c.config_hash = ConfigHash(c);
  c.labels = c.user_labels;
  c.labels[std::string(kLabelManagedBy)] = std::string(kManagedByValue);
  c.labels[std::string(kLabelWorker)] = settings.worker_id;
  c.labels[std::string(kLabelApp)] = c.app;
  c.labels[std::string(kLabelGeneration)] = std::to_string(generation);
  c.labels[std::string(kLabelIndex)] = std::to_string(index);
  c.labels[std::string(kLabelConfigHash)] = c.config_hash;
  return c;
}

std::vector<std::string> SpecProblems(const ContainerSpec& spec) {
  std::vector<std::string> problems;
  if (spec.image.empty()) problems.push_back("container " + std::to_string(spec.index) + ": no image");
  for (const auto& p : spec.ports) {
    if (p.host_port > 65535) {
      problems.push_back("container " + std::to_string(spec.index) + ": host port " + std::to_string(p.host_port) +
                         " (for container port " + std::to_string(p.container_port) + ") is above 65535");
    }
  }
  return problems;
}

}  // namespace nebula::agent
