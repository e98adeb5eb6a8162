// Test double of AppStore with the same contract as PgAppStore (generations survive deletion,
// nothing changes when a call throws, deleting an app the device groups list needs force), so the
// service's request handling is tested without a database. store/app_store_contract.cpp holds both
// stores to that contract.
#pragma once

#include <memory>
#include <optional>

#include "api-manager/rules/app_requests.h"
#include "api-manager/store/app_store.h"
#include "common/error.h"
#include "store/memory_database.h"

namespace nebula::api_manager::testing {

class MemoryAppStore final : public AppStore {
 public:
  using Entry = MemoryDatabase::AppRow;

  // A database of its own, or one shared with a MemoryResourceStore (device groups list apps).
  MemoryAppStore() : owned_(std::make_unique<MemoryDatabase>()), db_(*owned_) {}
  explicit MemoryAppStore(MemoryDatabase& db) : db_(db) {}

  nebula::v1::App Create(const std::string& name, const nebula::v1::AppSpec& spec, const WriteInfo& info) override {
    std::lock_guard lock(db_.mutex);
    auto& entry = db_.apps[name];
    if (entry.app.generation() > 0 && !entry.deleted) throw Error(ErrorCode::kAlreadyExists, "app exists");
    entry.app.set_name(name);
    entry.app.set_generation(entry.app.generation() + 1);
    *entry.app.mutable_spec() = spec;
    entry.app.mutable_create_time()->set_seconds(db_.Tick());
    *entry.app.mutable_update_time() = entry.app.create_time();
    entry.deleted = false;
    Record(entry.app, info, false);
    return entry.app;
  }

  bool ReadsFromMemory() const override { return reads_from_memory; }
  bool reads_from_memory = false;  // true: act like a serving read cache (GetApp answers inline)

  nebula::v1::App Get(const std::string& name) override {
    std::lock_guard lock(db_.mutex);
    return Live(name).app;
  }

  AppPage List(const std::string& after_name, int limit) override {
    std::lock_guard lock(db_.mutex);
    AppPage page;
    for (auto it = db_.apps.upper_bound(after_name); it != db_.apps.end(); ++it) {
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
    std::lock_guard lock(db_.mutex);
    Entry& entry = Live(name);
    CheckExpectedGeneration(name, expected_generation, entry.app.generation());
    nebula::v1::AppSpec spec = change(entry.app);  // may throw: nothing changed yet
    entry.app.set_generation(entry.app.generation() + 1);
    *entry.app.mutable_spec() = spec;
    entry.app.mutable_update_time()->set_seconds(db_.Tick());
    Record(entry.app, info, false);
    return entry.app;
  }

  int64_t Delete(const std::string& name, int64_t expected_generation, bool force, const WriteInfo& info) override {
    std::lock_guard lock(db_.mutex);
    Entry& entry = Live(name);
    CheckExpectedGeneration(name, expected_generation, entry.app.generation());
    db_.Tick();
    db_.ReleaseFromGroups("app", name, force, info);  // may throw: nothing changed yet
    entry.app.set_generation(entry.app.generation() + 1);
    entry.app.mutable_update_time()->set_seconds(db_.clock_seconds);
    entry.deleted = true;
    Record(entry.app, info, true);
    return entry.app.generation();
  }

  RevisionPage ListRevisions(const std::string& name, int64_t before, int limit) override {
    std::lock_guard lock(db_.mutex);
    RevisionPage page;
    auto& revisions = db_.revisions[name];
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
    std::lock_guard lock(db_.mutex);
    for (const auto& revision : db_.revisions[name])
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
    std::lock_guard lock(db_.mutex);
    return writes_;
  }

  // Every row, deleted ones included (what a database reload of the app cache sees).
  std::map<std::string, Entry> Rows() {
    std::lock_guard lock(db_.mutex);
    return db_.apps;
  }

 private:
  Entry& Live(const std::string& name) {
    if (!db_.AppIsLive(name)) throw Error(ErrorCode::kNotFound, "app not found");
    return db_.apps.at(name);
  }
  // Revision and audit event, as PgAppStore's RecordChange writes them.
  void Record(const nebula::v1::App& app, const WriteInfo& info, bool deleted) {
    writes_.push_back({app.name(), app.generation(), info.actor, info.action});
    db_.revisions[app.name()].push_back(
        {app.generation(), info.action, info.actor, db_.NowMicros(), app.spec(), deleted, info.rolled_back_to});
    db_.Audit(info, "app", app.name(), app.generation());
  }

  std::unique_ptr<MemoryDatabase> owned_;  // null when shared
  MemoryDatabase& db_;
  std::vector<Write> writes_;  // guarded by db_.mutex
};

}  // namespace nebula::api_manager::testing
