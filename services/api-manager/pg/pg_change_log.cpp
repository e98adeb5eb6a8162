#include "api-manager/pg/pg_change_log.h"

#include <pqxx/pqxx>

#include "api-manager/store/app_cache.h"
#include "api-manager/rules/app_requests.h"
#include "common/error.h"
#include "api-manager/pg/pg_names.h"
#include "api-manager/rules/resource_requests.h"
#include "common/validation.h"

namespace nebula::api_manager {

void PrepareChangeLogStatements(pqxx::connection& conn) {
  conn.prepare("notify_change", std::string("SELECT pg_notify('") + kOutboxChannel + "', $1)");
  conn.prepare("outbox_insert", "INSERT INTO outbox (key, payload) VALUES ($1, $2)");
  conn.prepare("outbox_insert_tombstone", "INSERT INTO outbox (key, payload) VALUES ($1, NULL)");
  conn.prepare("audit_insert",
               "INSERT INTO audit_events (time, actor, action, object_kind, object_name, generation) "
               "VALUES (now(), $1, $2, $3, $4, $5)");
  conn.prepare("member_groups",
               "SELECT group_name FROM group_members WHERE member_kind = $1 AND member = $2 ORDER BY group_name");
  conn.prepare("member_delete", "DELETE FROM group_members WHERE group_name = $1");
  conn.prepare(
      "member_insert",
      "INSERT INTO group_members (group_name, member_kind, member) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");
  // FOR SHARE: a concurrent delete of the member waits for this transaction, then sees its membership.
  conn.prepare("member_app_exists", "SELECT 1 FROM apps WHERE name = $1 AND deleted_at IS NULL FOR SHARE");
  conn.prepare("member_cron_exists",
               "SELECT 1 FROM objects WHERE kind = 'cron_job' AND name = $1 AND deleted_at IS NULL FOR SHARE");
  conn.prepare("object_lock",
               "SELECT generation, body, " NEBULA_PG_MICROS("create_time") ", " NEBULA_PG_MICROS(
                   "update_time") " FROM objects WHERE kind = $1 AND name = $2 AND deleted_at IS NULL FOR UPDATE");
  conn.prepare("object_update",
               "UPDATE objects SET generation = generation + 1, body = $3, update_time = now() "
               "WHERE kind = $1 AND name = $2 "
               "RETURNING generation, body, " NEBULA_PG_MICROS("create_time") ", " NEBULA_PG_MICROS("update_time"));
}

void WriteAuditEvent(pqxx::work& tx, const WriteInfo& info, std::string_view kind, const std::string& name,
                     int64_t generation) {
  tx.exec_prepared("audit_insert", info.actor, info.action, std::string(kind), name, generation);
}

void QueueRecords(pqxx::work& tx, const std::vector<OutboxRecord>& records) {
  for (const auto& record : records) {
    if (record.payload) {
      tx.exec_prepared("outbox_insert", record.key, pqxx::binarystring(*record.payload));
    } else {
      tx.exec_prepared("outbox_insert_tombstone", record.key);
    }
  }
}

void NotifyRelay(pqxx::work& tx) { tx.exec(std::string("NOTIFY ") + kOutboxChannel); }

void NotifyAppChange(pqxx::work& tx, const std::string& name, int64_t generation) {
  tx.exec_prepared("notify_change", AppChangePayload(name, generation));
}

StoredObject ObjectFromRow(const std::string& name, const pqxx::row& row) {
  StoredObject object;
  object.name = name;
  object.generation = row[0].as<int64_t>();
  pqxx::binarystring body(row[1]);
  object.body = body.str();
  object.create_us = row[2].as<int64_t>();
  object.update_us = row[3].as<int64_t>();
  return object;
}

std::vector<std::string> GroupsListing(pqxx::work& tx, std::string_view member_kind, const std::string& member) {
  std::vector<std::string> groups;
  for (const auto& row : tx.exec_prepared("member_groups", std::string(member_kind), member))
    groups.push_back(row[0].as<std::string>());
  return groups;
}

void ReleaseFromGroups(pqxx::work& tx, std::string_view member_kind, const std::string& member, bool force,
                       const WriteInfo& info) {
  std::vector<std::string> groups = GroupsListing(tx, member_kind, member);
  if (groups.empty()) return;
  const std::string label = member_kind == "app" ? "app" : "cron job";
  if (!force) {
    std::string names;
    for (const auto& group : groups) names += (names.empty() ? "" : ", ") + QuoteForMessage(group);
    throw Error(ErrorCode::kFailedPrecondition,
                label + " " + QuoteForMessage(member) + " is listed by device group" +
                    (groups.size() > 1 ? "s " : " ") + names +
                    "; remove it from them with UpdateDeviceGroup, or delete with force to drop it from them");
  }
  const std::string kind(ResourceKindName(ResourceKind::kDeviceGroup));
  for (const auto& group : groups) {
    pqxx::result current = tx.exec_prepared("object_lock", kind, group);
    if (current.empty()) continue;  // deleted groups are unindexed; defensive
    std::string body = DeviceGroupBodyWithout(ObjectFromRow(group, current[0]).body, member_kind, member);
    StoredObject changed =
        ObjectFromRow(group, tx.exec_prepared("object_update", kind, group, pqxx::binarystring(body))[0]);
    tx.exec_prepared("member_delete", group);
    for (const auto& app : MembersOfDeviceGroupBody(body).apps) tx.exec_prepared("member_insert", group, "app", app);
    for (const auto& job : MembersOfDeviceGroupBody(body).cron_jobs)
      tx.exec_prepared("member_insert", group, "cron_job", job);
    WriteAuditEvent(tx, info, kind, group, changed.generation);
    QueueRecords(tx, RecordsForObjectChange(ResourceKind::kDeviceGroup, changed));
  }
}

void IndexGroupMembers(pqxx::work& tx, const std::string& group, const std::string& body) {
  GroupMembers members = MembersOfDeviceGroupBody(body);
  std::vector<FieldViolation> violations;
  for (size_t i = 0; i < members.apps.size(); ++i)
    if (tx.exec_prepared("member_app_exists", members.apps[i]).empty())
      violations.push_back({"device_group.apps[" + std::to_string(i) + "]",
                            "app " + QuoteForMessage(members.apps[i]) + " does not exist; ListApps shows the apps"});
  for (size_t i = 0; i < members.cron_jobs.size(); ++i)
    if (tx.exec_prepared("member_cron_exists", members.cron_jobs[i]).empty())
      violations.push_back(
          {"device_group.cron_jobs[" + std::to_string(i) + "]",
           "cron job " + QuoteForMessage(members.cron_jobs[i]) + " does not exist; ListCronJobs shows the cron jobs"});
  if (!violations.empty()) throw InvalidRequest(std::move(violations));
  UnindexGroupMembers(tx, group);
  for (const auto& app : members.apps) tx.exec_prepared("member_insert", group, "app", app);
  for (const auto& job : members.cron_jobs) tx.exec_prepared("member_insert", group, "cron_job", job);
}

void UnindexGroupMembers(pqxx::work& tx, const std::string& group) { tx.exec_prepared("member_delete", group); }

}  // namespace nebula::api_manager
