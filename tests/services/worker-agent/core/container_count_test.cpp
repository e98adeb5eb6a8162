#include <catch2/catch.hpp>

#include "worker-agent/core/container_count.h"

using nebula::agent::CountContainers;
using nebula::agent::HostFacts;
using nebula::agent::kMaxContainersPerApp;
using nebula::v1::ContainersPer;

namespace {

ContainersPer Cpu(double x) {
  ContainersPer per;
  per.set_cpu(x);
  return per;
}
ContainersPer Memory(int64_t mb) {
  ContainersPer per;
  per.set_memory_mb(mb);
  return per;
}
ContainersPer Instance(int32_t n) {
  ContainersPer per;
  per.set_instance(n);
  return per;
}

}  // namespace

TEST_CASE("unset containers_per runs one container", "[unit][count]") {
  CHECK(CountContainers(ContainersPer{}, HostFacts{8, 16384}).count == 1);
}

TEST_CASE("instance is a fixed count per host, at least one", "[unit][count]") {
  const HostFacts host{8, 16384};
  CHECK(CountContainers(Instance(1), host).count == 1);
  CHECK(CountContainers(Instance(5), host).count == 5);
  CHECK(CountContainers(Instance(0), host).count == 1);
  CHECK(CountContainers(Instance(-3), host).count == 1);
}

TEST_CASE("cpu floors cores × x and runs at least one", "[unit][count]") {
  CHECK(CountContainers(Cpu(1), HostFacts{4, 0}).count == 4);
  CHECK(CountContainers(Cpu(2), HostFacts{4, 0}).count == 8);
  CHECK(CountContainers(Cpu(1.5), HostFacts{3, 0}).count == 4);  // 4.5 → 4
  CHECK(CountContainers(Cpu(0.5), HostFacts{1, 0}).count == 1);  // 0.5 → at least 1
  CHECK(CountContainers(Cpu(0.5), HostFacts{4, 0}).count == 2);
  CHECK(CountContainers(Cpu(0.29), HostFacts{100, 0}).count == 29);  // no 28.999… → 28
  CHECK(CountContainers(Cpu(0), HostFacts{4, 0}).count == 1);
  CHECK(CountContainers(Cpu(-1), HostFacts{4, 0}).count == 1);
}

TEST_CASE("memory_mb divides the host's memory and runs at least one", "[unit][count]") {
  CHECK(CountContainers(Memory(1024), HostFacts{2, 4096}).count == 4);
  CHECK(CountContainers(Memory(1000), HostFacts{2, 4096}).count == 4);
  CHECK(CountContainers(Memory(8192), HostFacts{2, 4096}).count == 1);
  CHECK(CountContainers(Memory(0), HostFacts{2, 4096}).count == 1);
  CHECK(CountContainers(Memory(512), HostFacts{2, 0}).count == 1);
}

TEST_CASE("absurd counts are capped and say so", "[unit][count]") {
  const auto tiny = CountContainers(Memory(1), HostFacts{2, 24000});
  CHECK(tiny.count == kMaxContainersPerApp);
  CHECK(tiny.requested == 24000);
  CHECK(tiny.capped());
  CHECK(CountContainers(Cpu(1e300), HostFacts{64, 0}).count == kMaxContainersPerApp);
  CHECK(CountContainers(Instance(2'000'000'000), HostFacts{}).capped());
  CHECK_FALSE(CountContainers(Instance(3), HostFacts{}).capped());
}
