// What the planner knows about the host and about this agent's configuration.
#pragma once

#include <cstdint>
#include <string>

namespace nebula::agent {

struct HostFacts {
  int32_t cpu_cores = 1;
  int64_t memory_mb = 0;
};

struct AgentSettings {
  std::string worker_id;
  // Host address for port mappings without their own host_ip; empty = all addresses.
  std::string default_host_ip;
};

}  // namespace nebula::agent
