// WorkerStore in memory, for unit tests of the service: same ordering and "newer wins" rule as
// PgWorkerStore. Thread-safe: tests write while the service reads.
#pragma once

#include <map>
#include <mutex>

#include "api-manager/store/worker_store.h"

namespace nebula::api_manager::testing {

class MemoryWorkerStore final : public WorkerStore {
 public:
  bool Fold(const FoldedReport& report) override {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(report.worker_id);
    if (it != workers_.end() && it->second.folded.last_seen > report.last_seen) return false;
    workers_[report.worker_id] = {report};
    return true;
  }
  void Forget(const std::string& worker_id) override {
    std::lock_guard lock(mutex_);
    workers_.erase(worker_id);
  }
  std::optional<StoredWorker> Get(const std::string& id) override {
    std::lock_guard lock(mutex_);
    auto it = workers_.find(id);
    if (it == workers_.end()) return std::nullopt;
    return StoredWorker{it->second.folded.report, it->second.folded.last_seen};
  }
  WorkerPage List(const std::string& after_id, int limit) override {
    std::lock_guard lock(mutex_);
    WorkerPage page;
    for (auto it = workers_.upper_bound(after_id); it != workers_.end(); ++it) {
      if (int(page.workers.size()) == limit) {
        page.more = true;
        break;
      }
      page.workers.push_back({it->second.folded.report, it->second.folded.last_seen});
    }
    return page;
  }
  std::vector<HostStatusRow> HostsOf(const std::string& app) override {
    std::lock_guard lock(mutex_);
    std::vector<HostStatusRow> hosts;
    for (const auto& [id, entry] : workers_) {
      for (const auto& row : entry.folded.apps) {
        if (row.app == app) hosts.push_back({row, entry.folded.hostname, entry.folded.last_seen});
      }
    }
    return hosts;
  }

 private:
  struct Entry {
    FoldedReport folded;
  };
  std::mutex mutex_;
  std::map<std::string, Entry> workers_;
};

}  // namespace nebula::api_manager::testing
