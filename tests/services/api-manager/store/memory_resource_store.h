// Test double of ResourceStore with PgResourceStore's contract for one process: generations survive
// deletion, nothing changes when a call throws, every write is an audit event. Membership checks
// (do the listed apps exist?) are the database's job and are covered by the integration tests.
#pragma once

#include <map>
#include <mutex>
#include <utility>

#include "api-manager/rules/app_requests.h"
#include "common/error.h"
#include "api-manager/store/resource_store.h"

namespace nebula::api_manager::testing {

class MemoryResourceStore final : public ResourceStore {
 public:
  StoredObject Create(ResourceKind kind, const std::string& name, const std::string& body,
                      const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    Entry& entry = objects_[{kind, name}];
    if (entry.object.generation > 0 && !entry.deleted) throw Error(ErrorCode::kAlreadyExists, "exists");
    entry.object.name = name;
    entry.object.generation += 1;
    entry.object.body = body;
    entry.object.create_us = entry.object.update_us = Tick();
    entry.deleted = false;
    return Audit(kind, entry.object, info);
  }
  StoredObject Get(ResourceKind kind, const std::string& name) override {
    std::lock_guard lock(mutex_);
    return Live(kind, name).object;
  }
  ObjectPage List(ResourceKind kind, const std::string& after_name, int limit) override {
    std::lock_guard lock(mutex_);
    ObjectPage page;
    for (auto it = objects_.upper_bound({kind, after_name}); it != objects_.end() && it->first.first == kind; ++it) {
      if (it->second.deleted) continue;
      if (int(page.objects.size()) == limit) {
        page.more = true;
        break;
      }
      page.objects.push_back(it->second.object);
    }
    return page;
  }
  StoredObject Update(ResourceKind kind, const std::string& name, int64_t expected_generation, const BodyChange& change,
                      const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    Entry& entry = Live(kind, name);
    CheckExpectedGeneration(name, expected_generation, entry.object.generation);
    std::string body = change(entry.object);
    entry.object.body = body;
    entry.object.generation += 1;
    entry.object.update_us = Tick();
    return Audit(kind, entry.object, info);
  }
  StoredObject Upsert(ResourceKind kind, const std::string& name, const BodyChange& change,
                      const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    Entry& entry = objects_[{kind, name}];
    entry.object.name = name;
    std::string body = change(entry.object);
    entry.object.body = body;
    entry.object.generation += 1;
    entry.object.update_us = Tick();
    if (entry.object.create_us == 0) entry.object.create_us = entry.object.update_us;
    return Audit(kind, entry.object, info);
  }
  int64_t Delete(ResourceKind kind, const std::string& name, int64_t expected_generation, bool,
                 const WriteInfo& info) override {
    std::lock_guard lock(mutex_);
    Entry& entry = Live(kind, name);
    CheckExpectedGeneration(name, expected_generation, entry.object.generation);
    entry.object.generation += 1;
    entry.deleted = true;
    Audit(kind, entry.object, info);
    return entry.object.generation;
  }
  AuditPage ListAuditEvents(const AuditQuery& query) override {
    std::lock_guard lock(mutex_);
    AuditPage page;
    for (auto it = audit_.rbegin(); it != audit_.rend(); ++it) {
      if (query.before_id != 0 && it->id >= query.before_id) continue;
      if (!query.object_kind.empty() && it->object_kind != query.object_kind) continue;
      if (!query.object_name.empty() && it->object_name != query.object_name) continue;
      if (int(page.events.size()) == query.limit) {
        page.more = true;
        break;
      }
      page.events.push_back(*it);
    }
    return page;
  }

 private:
  struct Entry {
    StoredObject object;
    bool deleted = false;
  };
  Entry& Live(ResourceKind kind, const std::string& name) {
    auto it = objects_.find({kind, name});
    if (it == objects_.end() || it->second.deleted) throw Error(ErrorCode::kNotFound, "not found");
    return it->second;
  }
  StoredObject Audit(ResourceKind kind, const StoredObject& object, const WriteInfo& info) {
    audit_.push_back({int64_t(audit_.size()) + 1, clock_, info.actor, info.action, std::string(ResourceKindName(kind)),
                      object.name, object.generation});
    return object;
  }
  int64_t Tick() { return clock_ += 1000000; }

  std::mutex mutex_;
  std::map<std::pair<ResourceKind, std::string>, Entry> objects_;
  std::vector<AuditEventRow> audit_;
  int64_t clock_ = 1700000000000000;
};

// Authenticates everyone as the given caller (tests of access rules).
class FixedAuthenticator final : public Authenticator {
 public:
  explicit FixedAuthenticator(Caller caller) : caller_(std::move(caller)) {}
  Caller Authenticate(std::string_view) override { return caller_; }
  bool NeverBlocks() const override { return never_blocks; }
  void Set(Caller caller) { caller_ = std::move(caller); }

  bool never_blocks = false;  // true: GetApp may answer on gRPC's event thread

 private:
  Caller caller_;
};

}  // namespace nebula::api_manager::testing
