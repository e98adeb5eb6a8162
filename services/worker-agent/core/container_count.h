// How many containers of an app this host runs (AppSpec.containers_per).
//   unset          → 1
//   instance = n   → n (at least 1)
//   cpu = x        → floor(cores × x), at least 1: "0.5 per core" on a 1-core host still runs the app,
//                    and flooring never oversubscribes the cores the user sized the app for.
//   memory_mb = m  → floor(host MiB / m), at least 1.
// The result is capped at kMaxContainersPerApp, so a tiny memory_mb on a big host cannot ask dockerd
// for tens of thousands of containers; the cap is reported as a problem.
#pragma once

#include <cstdint>

#include "worker-agent/core/host_facts.h"
#include "nebula/v1/app.pb.h"

namespace nebula::agent {

inline constexpr int32_t kMaxContainersPerApp = 1000;

struct ContainerCount {
  int32_t count = 1;      // what the agent runs
  int64_t requested = 1;  // before the cap
  bool capped() const { return requested > count; }
};

ContainerCount CountContainers(const v1::ContainersPer& per, const HostFacts& host);

}  // namespace nebula::agent
