// Test double of ResourceStore with PgResourceStore's contract for one process: generations survive
// deletion, nothing changes when a call throws, every write is an audit event, a device group's
// members must exist and deleting a listed cron job needs force. Give it the MemoryDatabase of a
// MemoryAppStore for groups that list apps. store/resource_store_contract.cpp holds both stores to
// that contract.
#pragma once

#include <memory>
#include <utility>

#include "api-manager/access/caller.h"
#include "api-manager/rules/app_requests.h"
#include "api-manager/store/resource_store.h"
#include "common/error.h"
#include "store/memory_database.h"

namespace nebula::api_manager::testing {

class MemoryResourceStore final : public ResourceStore {
 public:
  MemoryResourceStore() : owned_(std::make_unique<MemoryDatabase>()), db_(*owned_) {}
  explicit MemoryResourceStore(MemoryDatabase& db) : db_(db) {}

  StoredObject Create(ResourceKind kind, const std::string& name, const std::string& body,
                      const WriteInfo& info) override {
    std::lock_guard lock(db_.mutex);
    if (db_.ObjectIsLive(kind, name)) throw Error(ErrorCode::kAlreadyExists, "exists");
    if (kind == ResourceKind::kDeviceGroup) db_.CheckGroupMembers(body);
    Entry& entry = db_.objects[{kind, name}];
    entry.object.name = name;
    entry.object.generation += 1;
    entry.object.body = body;
    entry.object.create_us = entry.object.update_us = Tick();
    entry.deleted = false;
    return Audit(kind, entry.object, info);
  }
  StoredObject Get(ResourceKind kind, const std::string& name) override {
    std::lock_guard lock(db_.mutex);
    return Live(kind, name).object;
  }
  ObjectPage List(ResourceKind kind, const std::string& after_name, int limit) override {
    std::lock_guard lock(db_.mutex);
    ObjectPage page;
    for (auto it = db_.objects.upper_bound({kind, after_name}); it != db_.objects.end() && it->first.first == kind;
         ++it) {
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
    std::lock_guard lock(db_.mutex);
    Entry& entry = Live(kind, name);
    CheckExpectedGeneration(name, expected_generation, entry.object.generation);
    std::string body = change(entry.object);
    if (kind == ResourceKind::kDeviceGroup) db_.CheckGroupMembers(body);
    entry.object.body = body;
    entry.object.generation += 1;
    entry.object.update_us = Tick();
    return Audit(kind, entry.object, info);
  }
  StoredObject Upsert(ResourceKind kind, const std::string& name, const BodyChange& change,
                      const WriteInfo& info) override {
    std::lock_guard lock(db_.mutex);
    StoredObject current;
    current.name = name;
    if (auto it = db_.objects.find({kind, name}); it != db_.objects.end()) current = it->second.object;
    std::string body = change(current);  // may throw: no row made yet
    if (kind == ResourceKind::kDeviceGroup) db_.CheckGroupMembers(body);
    Entry& entry = db_.objects[{kind, name}];
    entry.object.name = name;
    entry.object.body = body;
    entry.object.generation += 1;
    entry.object.update_us = Tick();
    if (entry.object.create_us == 0) entry.object.create_us = entry.object.update_us;
    return Audit(kind, entry.object, info);
  }
  int64_t Delete(ResourceKind kind, const std::string& name, int64_t expected_generation, bool force,
                 const WriteInfo& info) override {
    std::lock_guard lock(db_.mutex);
    Entry& entry = Live(kind, name);
    CheckExpectedGeneration(name, expected_generation, entry.object.generation);
    const int64_t now = Tick();
    if (kind == ResourceKind::kCronJob) db_.ReleaseFromGroups("cron_job", name, force, info);  // may throw
    entry.object.generation += 1;
    entry.object.update_us = now;
    entry.deleted = true;
    Audit(kind, entry.object, info);
    return entry.object.generation;
  }
  AuditPage ListAuditEvents(const AuditQuery& query) override {
    std::lock_guard lock(db_.mutex);
    AuditPage page;
    for (auto it = db_.audit.rbegin(); it != db_.audit.rend(); ++it) {
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
  using Entry = MemoryDatabase::ObjectRow;
  Entry& Live(ResourceKind kind, const std::string& name) {
    if (!db_.ObjectIsLive(kind, name)) throw Error(ErrorCode::kNotFound, "not found");
    return db_.objects.at({kind, name});
  }
  StoredObject Audit(ResourceKind kind, const StoredObject& object, const WriteInfo& info) {
    db_.Audit(info, ResourceKindName(kind), object.name, object.generation);
    return object;
  }
  int64_t Tick() { return db_.Tick() * 1000000; }

  std::unique_ptr<MemoryDatabase> owned_;  // null when shared
  MemoryDatabase& db_;
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
