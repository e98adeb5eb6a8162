#include "worker-agent/core/container_count.h"

#include <algorithm>
#include <cmath>

namespace nebula::agent {

namespace {

int64_t Requested(const v1::ContainersPer& per, const HostFacts& host) {
  switch (per.per_case()) {
    case v1::ContainersPer::kInstance: return per.instance();
    case v1::ContainersPer::kCpu: {
      const double wanted = static_cast<double>(std::max(host.cpu_cores, 1)) * per.cpu();
      if (!std::isfinite(wanted)) return wanted > 0 ? INT64_MAX : 1;
      // The epsilon keeps 0.29 × 100 (= 28.999…) at 29.
      return wanted >= 9e18 ? INT64_MAX : static_cast<int64_t>(std::floor(wanted + 1e-9));
    }
    case v1::ContainersPer::kMemoryMb:
      if (per.memory_mb() <= 0) return 1;
      return std::max<int64_t>(host.memory_mb, 0) / per.memory_mb();
    case v1::ContainersPer::PER_NOT_SET: break;
  }
  return 1;
}

}  // namespace

ContainerCount CountContainers(const v1::ContainersPer& per, const HostFacts& host) {
  ContainerCount result;
  result.requested = std::max<int64_t>(Requested(per, host), 1);
  result.count = static_cast<int32_t>(std::min<int64_t>(result.requested, kMaxContainersPerApp));
  return result;
}

}  // namespace nebula::agent
