// The shared tail of every PostgreSQL write transaction (docs/architecture.md "Write path"): the audit event, the
// outbox records, the relay's wake-up, and the device-group membership rules that span apps, cron jobs and groups (a
// delete must see, and possibly change, the groups in the same transaction).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <pqxx/pqxx>

#include "api-manager/store/app_store.h"
#include "api-manager/rules/desired_records.h"
#include "api-manager/store/resource_store.h"

namespace nebula::api_manager {

// Timestamps travel as integer microseconds since the epoch (extract() is exact numeric in PG 14+).
#define NEBULA_PG_MICROS(column) "(extract(epoch FROM " column ") * 1000000)::bigint"

// Prepares the statements below (and the objects statements they use) on a connection.
void PrepareChangeLogStatements(pqxx::connection& conn);

void WriteAuditEvent(pqxx::work& tx, const WriteInfo& info, std::string_view kind, const std::string& name,
                     int64_t generation);
void QueueRecords(pqxx::work& tx, const std::vector<OutboxRecord>& records);
void NotifyRelay(pqxx::work& tx);
// NotifyRelay that also tells the app caches of every replica which app changed (app_cache.h).
void NotifyAppChange(pqxx::work& tx, const std::string& name, int64_t generation);

// Columns: generation, body, create_us, update_us.
StoredObject ObjectFromRow(const std::string& name, const pqxx::row& row);

// Live groups that list member (member_kind "app" or "cron_job"), by name.
std::vector<std::string> GroupsListing(pqxx::work& tx, std::string_view member_kind, const std::string& member);

// Before deleting member: FAILED_PRECONDITION naming the groups that list it, or with force each of
// them drops it (a new generation, an audit event and an outbox record per group).
void ReleaseFromGroups(pqxx::work& tx, std::string_view member_kind, const std::string& member, bool force,
                       const WriteInfo& info);

// After a group's body changed: checks every member exists (INVALID_ARGUMENT naming
// "device_group.apps[i]"...) and rewrites the membership index.
void IndexGroupMembers(pqxx::work& tx, const std::string& group, const std::string& body);
void UnindexGroupMembers(pqxx::work& tx, const std::string& group);

}  // namespace nebula::api_manager
