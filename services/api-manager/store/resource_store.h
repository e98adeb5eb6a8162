// Where device groups, cron jobs and the global settings live (PostgreSQL: the objects table, see
// pg_resource_store.h), and the audit trail. Writes follow the AppStore rules: one transaction each
// with the object, an audit event and the nebula.desired outbox records, or nothing when they throw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "api-manager/store/app_store.h"

namespace nebula::api_manager {

enum class ResourceKind { kDeviceGroup, kCronJob, kGlobal };

// "device_group", "cron_job", "global": the audit object_kind and the objects.kind column.
std::string_view ResourceKindName(ResourceKind kind);

struct StoredObject {
  std::string name;
  int64_t generation = 0;
  std::string body;  // serialized DeviceGroup / CronJob / GlobalSettings without name, generation, times
  int64_t create_us = 0;
  int64_t update_us = 0;
};

struct ObjectPage {
  std::vector<StoredObject> objects;  // ordered by name
  bool more = false;
};

// Members a device group lists; the store keeps its membership index from it and checks every
// name exists. The body parser lives with the pure request rules (resource_requests.h).
struct GroupMembers {
  std::vector<std::string> apps;
  std::vector<std::string> cron_jobs;
};

// Computes the new body from the current object inside the write transaction. Throws to refuse.
using BodyChange = std::function<std::string(const StoredObject& current)>;

struct AuditEventRow {
  int64_t id = 0;
  int64_t time_us = 0;
  std::string actor;
  std::string action;
  std::string object_kind;
  std::string object_name;
  int64_t generation = 0;
};

struct AuditQuery {
  std::string object_kind;  // empty: any
  std::string object_name;  // empty: any
  int64_t before_id = 0;    // 0: from the newest
  int limit = 100;
};

struct AuditPage {
  std::vector<AuditEventRow> events;  // newest first
  bool more = false;
};

// Errors as AppStore. A device group's members must exist: kInvalidArgument naming
// "<field>.apps[i]" / "<field>.cron_jobs[i]" otherwise.
class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  virtual StoredObject Create(ResourceKind kind, const std::string& name, const std::string& body,
                              const WriteInfo& info) = 0;
  virtual StoredObject Get(ResourceKind kind, const std::string& name) = 0;
  virtual ObjectPage List(ResourceKind kind, const std::string& after_name, int limit) = 0;
  virtual StoredObject Update(ResourceKind kind, const std::string& name, int64_t expected_generation,
                              const BodyChange& change, const WriteInfo& info) = 0;
  // The global settings row: created at generation 1 from an empty body if missing, then changed.
  virtual StoredObject Upsert(ResourceKind kind, const std::string& name, const BodyChange& change,
                              const WriteInfo& info) = 0;
  // Returns the generation of the deletion. Cron jobs: kFailedPrecondition naming the groups that
  // list the job unless force (they drop it in the same transaction).
  virtual int64_t Delete(ResourceKind kind, const std::string& name, int64_t expected_generation, bool force,
                         const WriteInfo& info) = 0;

  virtual AuditPage ListAuditEvents(const AuditQuery& query) = 0;
};

}  // namespace nebula::api_manager
