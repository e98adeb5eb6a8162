// The tables MemoryAppStore and MemoryResourceStore share, as PgAppStore and PgResourceStore share one
// PostgreSQL database: a device group's members are apps and cron jobs, so deleting one must see (and
// with force change) the groups that list it, and every write of either store lands in one audit
// trail. One mutex guards all of it, as one transaction would.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api-manager/rules/app_requests.h"
#include "api-manager/rules/resource_requests.h"
#include "api-manager/store/app_store.h"
#include "api-manager/store/resource_store.h"
#include "common/error.h"
#include "common/validation.h"

namespace nebula::api_manager::testing {

struct MemoryDatabase {
  struct AppRow {
    nebula::v1::App app;
    bool deleted = false;
  };
  struct ObjectRow {
    StoredObject object;
    bool deleted = false;
  };

  std::mutex mutex;                                        // held by every store call over the tables below
  std::map<std::string, AppRow> apps;                      // deleted rows stay: generations survive deletion
  std::map<std::string, std::vector<Revision>> revisions;  // oldest first
  std::map<std::pair<ResourceKind, std::string>, ObjectRow> objects;
  std::vector<AuditEventRow> audit;  // oldest first
  int64_t clock_seconds = 1700000000;

  // Each write moves the clock one second, so times are distinct and ordered.
  int64_t Tick() { return ++clock_seconds; }
  int64_t NowMicros() const { return clock_seconds * 1000000; }

  void Audit(const WriteInfo& info, std::string_view kind, const std::string& name, int64_t generation) {
    audit.push_back(
        {int64_t(audit.size()) + 1, NowMicros(), info.actor, info.action, std::string(kind), name, generation});
  }

  bool AppIsLive(const std::string& name) const {
    auto it = apps.find(name);
    return it != apps.end() && !it->second.deleted && it->second.app.generation() > 0;
  }
  bool ObjectIsLive(ResourceKind kind, const std::string& name) const {
    auto it = objects.find({kind, name});
    return it != objects.end() && !it->second.deleted && it->second.object.generation > 0;
  }

  // PgResourceStore's membership check (IndexGroupMembers): every member of a group body exists.
  void CheckGroupMembers(const std::string& body) const {
    GroupMembers members = MembersOfDeviceGroupBody(body);
    std::vector<FieldViolation> violations;
    for (size_t i = 0; i < members.apps.size(); ++i)
      if (!AppIsLive(members.apps[i]))
        violations.push_back({"device_group.apps[" + std::to_string(i) + "]",
                              "app " + QuoteForMessage(members.apps[i]) + " does not exist"});
    for (size_t i = 0; i < members.cron_jobs.size(); ++i)
      if (!ObjectIsLive(ResourceKind::kCronJob, members.cron_jobs[i]))
        violations.push_back({"device_group.cron_jobs[" + std::to_string(i) + "]",
                              "cron job " + QuoteForMessage(members.cron_jobs[i]) + " does not exist"});
    if (!violations.empty()) throw InvalidRequest(std::move(violations));
  }

  // PgAppStore/PgResourceStore's ReleaseFromGroups before deleting member (member_kind "app" or
  // "cron_job"): kFailedPrecondition naming the live groups that list it, or with force each of them
  // drops it at a new generation with an audit event.
  void ReleaseFromGroups(std::string_view member_kind, const std::string& member, bool force, const WriteInfo& info) {
    std::vector<ObjectRow*> listing;
    std::string names;
    for (auto& [key, row] : objects) {
      if (key.first != ResourceKind::kDeviceGroup || row.deleted) continue;
      GroupMembers members = MembersOfDeviceGroupBody(row.object.body);
      const auto& list = member_kind == "app" ? members.apps : members.cron_jobs;
      if (std::find(list.begin(), list.end(), member) == list.end()) continue;
      listing.push_back(&row);
      names += (names.empty() ? "" : ", ") + QuoteForMessage(key.second);
    }
    if (listing.empty()) return;
    if (!force)
      throw Error(ErrorCode::kFailedPrecondition, std::string(member_kind == "app" ? "app " : "cron job ") +
                                                      QuoteForMessage(member) + " is listed by device groups " + names);
    for (ObjectRow* row : listing) {
      row->object.body = DeviceGroupBodyWithout(row->object.body, member_kind, member);
      row->object.generation += 1;
      row->object.update_us = NowMicros();
      Audit(info, ResourceKindName(ResourceKind::kDeviceGroup), row->object.name, row->object.generation);
    }
  }
};

}  // namespace nebula::api_manager::testing
