// The effective spec of container i of an app on this host: AppSpec + index + agent settings, with
// every default resolved. It is what the Docker adapter creates and what the config hash covers.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "worker-agent/core/host_facts.h"
#include "nebula/v1/app.pb.h"

namespace nebula::agent {

struct PortBinding {
  std::string host_ip;     // empty = all addresses
  uint32_t host_port = 0;  // AppSpec host_port + index; 0 = let dockerd choose
  uint32_t container_port = 0;
  std::string protocol = "tcp";  // "tcp" or "udp"

  bool operator==(const PortBinding&) const = default;
};

struct BindMount {
  std::string source;  // absolute host path or named volume
  std::string target;
  bool read_only = false;

  bool operator==(const BindMount&) const = default;
};

struct DeviceMount {
  std::string host_path;
  std::string container_path;  // resolved: never empty
  std::string permissions;     // resolved: never empty ("rwm" by default)

  bool operator==(const DeviceMount&) const = default;
};

struct ContainerSpec {
  std::string app;
  int32_t index = 0;
  int64_t generation = 0;  // recorded in a label; not part of the hash

  std::string image;
  std::vector<std::string> entrypoint;  // AppSpec.command
  std::vector<std::string> cmd;         // AppSpec.args
  std::vector<std::string> env;         // "KEY=VALUE", sorted by key
  std::vector<PortBinding> ports;
  std::vector<BindMount> volumes;
  std::vector<DeviceMount> devices;
  bool privileged = false;
  std::vector<std::string> networks;  // first = network mode, the rest are connected before start
  int64_t nano_cpus = 0;              // 0 = unlimited
  int64_t memory_bytes = 0;           // 0 = unlimited
  std::string restart_policy;         // docker name: "unless-stopped", "no", "always", "on-failure"
  int64_t restart_nonce = 0;
  std::map<std::string, std::string> user_labels;  // AppSpec.labels without reserved keys

  std::string config_hash;                    // ConfigHash() of the above
  std::map<std::string, std::string> labels;  // user labels + dev.nebula.* identity labels
};

// Container `index` of `app` at `generation`. Never throws: out-of-range values are reported by
// SpecProblems() rather than rejected here.
ContainerSpec BuildContainerSpec(std::string_view app, const v1::AppSpec& spec, int64_t generation, int32_t index,
                                 const AgentSettings& settings);

// Reasons dockerd would refuse the spec that are ours to report (a host port above 65535 for a
// high index, which the API cannot check because it does not know the host's container count).
std::vector<std::string> SpecProblems(const ContainerSpec& spec);

// Docker's name for a restart policy; unset means unless-stopped, the original's policy for apps.
std::string RestartPolicyName(v1::RestartPolicy policy);

}  // namespace nebula::agent
