#include "worker-agent/agent/host_probe.h"

#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>

namespace nebula::agent {

HostFacts ProbeHost(int cpus, int64_t memory_mb) {
  HostFacts facts;
  facts.cpu_cores = cpus > 0 ? cpus : static_cast<int32_t>(std::max<long>(sysconf(_SC_NPROCESSORS_ONLN), 1));
  if (memory_mb > 0) {
    facts.memory_mb = memory_mb;
  } else {
    const long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    facts.memory_mb = pages > 0 && page_size > 0 ? (int64_t{pages} * page_size) >> 20 : 0;
  }
  return facts;
}

int64_t DiskFreeMb(const std::string& path) {
  struct statvfs fs {};
  if (statvfs(path.c_str(), &fs) != 0) return 0;
  return static_cast<int64_t>((static_cast<unsigned long long>(fs.f_bavail) * fs.f_frsize) >> 20);
}

}  // namespace nebula::agent
