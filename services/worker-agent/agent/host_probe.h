// Host facts read from the machine (cores, memory, free disk), overridable by flags for tests.
#pragma once

#include <cstdint>
#include <string>

#include "worker-agent/core/host_facts.h"

namespace nebula::agent {

// cpus / memory_mb of 0 mean "read from the machine".
HostFacts ProbeHost(int cpus, int64_t memory_mb);

// Free MiB of the file system holding `path`; 0 when it cannot be read.
int64_t DiskFreeMb(const std::string& path);

}  // namespace nebula::agent
