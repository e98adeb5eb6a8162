// Test double of AppStore with the same contract as PgAppStore (generations survive deletion,
// nothing changes when a call throws), so the service's request handling is tested without a
// database. The integration test checks PgAppStore against the same behaviour.
#pragma once

#include <map>
#include <mutex>
#include <optional>

#include "api-manager/rules/app_requests.h"
#include "api-manager/store/app_store.h"
#include "api-manager/rules/desired_records.h"
#include "common/error.h"

namespace nebula::api_manager::testing {

class MemoryAppStore final : public AppStore {
 public:
  struct Entry {
    nebula::v1::App app;
    bool deleted = false;
  };

  nebula::v1::App Create(const std::string& name, const nebula::v1::AppSpec& spec, const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    auto& entry = apps_[name];
    if (entry.app.generation() > 0 && !entry.deleted) throw Error(ErrorCode::kAlreadyExists, "app exists");
    entry.app.set_name(name);
    entry.app.set_generation(entry.app.generation() + 1);
    *entry.app.mutable_spec() = spec;
    entry.app.mutable_create_time()->set_seconds(++clock_);
    *entry.app.mutable_update_time() = entry.app.create_time();
    entry.deleted = false;
    Record(entry.app, info, false);
    return entry.app;
  }

  bool ReadsFromMemory() const override { return reads_from_memory; }
  bool reads_from_memory = false;  // true: act like a serving read cache (GetApp answers inline)

  nebula::v1::App Get(const std::string& name) override {
    std::lock_guard lock(mutex_);
    return Live(name).app;
  }

  AppPage List(const std::string& after_name, int limit) override {
    std::lock_guard lock(mutex_);
    AppPage page;
    for (auto it = apps_.upper_bound(after_name); it != apps_.end(); ++it) {
      if (it->second.deleted || it->second.app.generation() == 0) continue;
      if (int(page.apps.size()) == limit) {
        page.more = true;
        break;
      }
      page.apps.push_back(it->second.app);
    }
    return page;
  }

  nebula::v1::App Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                         const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    Entry& entry = Live(name);
    CheckExpectedGeneration(name, expected_generation, entry.app.generation());
    nebula::v1::AppSpec spec = change(entry.app);  // may throw: nothing changed yet
    entry.app.set_generation(entry.app.generation() + 1);
    *entry.app.mutable_spec() = spec;
    entry.app.mutable_update_time()->set_seconds(++clock_);
    Record(entry.app, info, false);
    return entry.app;
  }

  int64_t Delete(const std::string& name, int64_t expected_generation, bool, const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    Entry& entry = Live(name);
    CheckExpectedGeneration(name, expected_generation, entry.app.generation());
    entry.app.set_generation(entry.app.generation() + 1);
    entry.deleted = true;
    Record(entry.app, info, true);
    return entry.app.generation();
  }

  RevisionPage ListRevisions(const std::string& name, int64_t before, int limit) override {
    std::lock_guard lock(mutex_);
    RevisionPage page;
    auto& revisions = revisions_[name];
    for (auto it = revisions.rbegin(); it != revisions.rend(); ++it) {
      if (before != 0 && it->generation >= before) continue;
      if (int(page.revisions.size()) == limit) {
        page.more = true;
        break;
      }
      page.revisions.push_back(*it);
    }
    return page;
  }

  std::optional<Revision> GetRevision(const std::string& name, int64_t generation) override {
    std::lock_guard lock(mutex_);
    for (const auto& revision : revisions_[name])
      if (revision.generation == generation) return revision;
    return std::nullopt;
  }

  // Every successful write, in order.
  struct Write {
    std::string name;
    int64_t generation;
    std::string actor;
    std::string action;
  };
  std::vector<Write> writes() {
    std::lock_guard lock(mutex_);
    return writes_;
  }

  // Every row, deleted ones included (what a database reload of the app cache sees).
  std::map<std::string, Entry> Rows() {
    std::lock_guard lock(mutex_);
    return apps_;
  }

 private:
  Entry& Live(const std::string& name) {
    auto it = apps_.find(name);
    if (it == apps_.end() || it->second.deleted || it->second.app.generation() == 0)
      throw Error(ErrorCode::kNotFound, "app not found");
    return it->second;
  }
  void Record(const nebula::v1::App& app, const WriteInfo& info, bool deleted) {
    writes_.push_back({app.name(), app.generation(), info.actor, info.action});
    revisions_[app.name()].push_back({app.generation(), info.action, info.actor, clock_ * 1000000, app.spec(), deleted,
                                      info.rolled_back_to});
  }

  std::mutex mutex_;
  std::map<std::string, Entry> apps_;
  std::vector<Write> writes_;
  std::map<std::string, std::vector<Revision>> revisions_;  // oldest first
  int64_t clock_ = 1700000000;
};

}  // namespace nebula::api_manager::testing
