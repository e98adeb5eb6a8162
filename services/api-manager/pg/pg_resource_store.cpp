#include "api-manager/pg/pg_resource_store.h"

#include <pqxx/pqxx>

#include "api-manager/rules/app_requests.h"
#include "api-manager/rules/desired_records.h"
#include "common/error.h"
#include "api-manager/pg/pg_change_log.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

#define MICROS(column) NEBULA_PG_MICROS(column)
#define OBJECT_COLUMNS "generation, body, " MICROS("create_time") ", " MICROS("update_time")

std::string Label(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kDeviceGroup: return "device group";
    case ResourceKind::kCronJob: return "cron job";
    case ResourceKind::kGlobal: return "global settings";
  }
  return "object";
}

std::string ListRpc(ResourceKind kind) { return kind == ResourceKind::kCronJob ? "ListCronJobs" : "ListDeviceGroups"; }

Error NotFound(ResourceKind kind, const std::string& name) {
  return Error(ErrorCode::kNotFound,
               Label(kind) + " " + QuoteForMessage(name) + " not found; " + ListRpc(kind) + " shows the existing ones");
}

// Group bodies feed the membership index; other kinds have none.
void AfterWrite(pqxx::work& tx, ResourceKind kind, const StoredObject& object, const WriteInfo& info) {
  if (kind == ResourceKind::kDeviceGroup) IndexGroupMembers(tx, object.name, object.body);
  WriteAuditEvent(tx, info, ResourceKindName(kind), object.name, object.generation);
  QueueRecords(tx, RecordsForObjectChange(kind, object));
  NotifyRelay(tx);
}

}  // namespace

void PgResourceStore::PrepareStatements(pqxx::connection& conn) {
  // object_lock and object_update come with PrepareChangeLogStatements (PgAppStore prepares them).
  conn.prepare("object_create",
               "INSERT INTO objects AS o (kind, name, generation, body, create_time, update_time, deleted_at) "
               "VALUES ($1, $2, 1, $3, now(), now(), NULL) "
               "ON CONFLICT (kind, name) DO UPDATE SET generation = o.generation + 1, body = EXCLUDED.body, "
               "  create_time = now(), update_time = now(), deleted_at = NULL "
               "WHERE o.deleted_at IS NOT NULL RETURNING " OBJECT_COLUMNS);
  conn.prepare("object_insert_first",
               "INSERT INTO objects (kind, name, generation, body, create_time, update_time) "
               "VALUES ($1, $2, 1, $3, now(), now()) ON CONFLICT DO NOTHING RETURNING " OBJECT_COLUMNS);
  conn.prepare("object_get",
               "SELECT " OBJECT_COLUMNS " FROM objects WHERE kind = $1 AND name = $2 AND deleted_at IS NULL");
  conn.prepare("object_list", "SELECT " OBJECT_COLUMNS
                              ", name FROM objects "
                              "WHERE kind = $1 AND deleted_at IS NULL AND name > $2 ORDER BY name LIMIT $3");
  conn.prepare("object_delete",
               "UPDATE objects SET generation = generation + 1, update_time = now(), deleted_at = now() "
               "WHERE kind = $1 AND name = $2 RETURNING " OBJECT_COLUMNS);
  conn.prepare("audit_list",
               "SELECT id, " MICROS("time") ", actor, action, object_kind, object_name, generation FROM audit_events "
               "WHERE ($1 = '' OR object_kind = $1) AND ($2 = '' OR object_name = $2) AND ($3 = 0 OR id < $3) "
               "ORDER BY id DESC LIMIT $4");
}

StoredObject PgResourceStore::Create(ResourceKind kind, const std::string& name, const std::string& body,
                                     const WriteInfo& info) {
  StoredObject object;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r =
        tx.exec_prepared("object_create", std::string(ResourceKindName(kind)), name, pqxx::binarystring(body));
    if (r.empty())
      throw Error(ErrorCode::kAlreadyExists, Label(kind) + " " + QuoteForMessage(name) +
                                                 " already exists; change it with an update, or delete it first");
    object = ObjectFromRow(name, r[0]);
    AfterWrite(tx, kind, object, info);
    tx.commit();
  });
  return object;
}

StoredObject PgResourceStore::Get(ResourceKind kind, const std::string& name) {
  StoredObject object;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_prepared("object_get", std::string(ResourceKindName(kind)), name);
    if (r.empty()) throw NotFound(kind, name);
    object = ObjectFromRow(name, r[0]);
  });
  return object;
}

ObjectPage PgResourceStore::List(ResourceKind kind, const std::string& after_name, int limit) {
  ObjectPage page;
  pool_.Run([&](pqxx::connection& conn) {
    page = {};
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_prepared("object_list", std::string(ResourceKindName(kind)), after_name, limit + 1);
    for (pqxx::result::size_type i = 0; i < r.size() && int(i) < limit; ++i)
      page.objects.push_back(ObjectFromRow(r[i][4].as<std::string>(), r[i]));
    page.more = int(r.size()) > limit;
  });
  return page;
}

StoredObject PgResourceStore::Update(ResourceKind kind, const std::string& name, int64_t expected_generation,
                                     const BodyChange& change, const WriteInfo& info) {
  StoredObject object;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    const std::string k(ResourceKindName(kind));
    pqxx::result current = tx.exec_prepared("object_lock", k, name);
    if (current.empty()) throw NotFound(kind, name);
    StoredObject before = ObjectFromRow(name, current[0]);
    CheckExpectedGeneration(name, expected_generation, before.generation, Label(kind));
    std::string body = change(before);
    object = ObjectFromRow(name, tx.exec_prepared("object_update", k, name, pqxx::binarystring(body))[0]);
    AfterWrite(tx, kind, object, info);
    tx.commit();
  });
  return object;
}

StoredObject PgResourceStore::Upsert(ResourceKind kind, const std::string& name, const BodyChange& change,
                                     const WriteInfo& info) {
  StoredObject object;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    const std::string k(ResourceKindName(kind));
    pqxx::result current = tx.exec_prepared("object_lock", k, name);
    if (current.empty()) {
      StoredObject none;
      none.name = name;
      pqxx::result r = tx.exec_prepared("object_insert_first", k, name, pqxx::binarystring(change(none)));
      // Another first write won the race: its transaction holds the row; ours is retried by the caller.
      if (r.empty())
        throw Error(ErrorCode::kAborted, Label(kind) + " were created concurrently by another call; try again");
      object = ObjectFromRow(name, r[0]);
    } else {
      std::string body = change(ObjectFromRow(name, current[0]));
      object = ObjectFromRow(name, tx.exec_prepared("object_update", k, name, pqxx::binarystring(body))[0]);
    }
    AfterWrite(tx, kind, object, info);
    tx.commit();
  });
  return object;
}

int64_t PgResourceStore::Delete(ResourceKind kind, const std::string& name, int64_t expected_generation, bool force,
                                const WriteInfo& info) {
  int64_t generation = 0;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    const std::string k(ResourceKindName(kind));
    pqxx::result current = tx.exec_prepared("object_lock", k, name);
    if (current.empty()) throw NotFound(kind, name);
    CheckExpectedGeneration(name, expected_generation, current[0][0].as<int64_t>(), Label(kind));
    if (kind == ResourceKind::kCronJob) ReleaseFromGroups(tx, "cron_job", name, force, info);
    if (kind == ResourceKind::kDeviceGroup) UnindexGroupMembers(tx, name);
    StoredObject deleted = ObjectFromRow(name, tx.exec_prepared("object_delete", k, name)[0]);
    generation = deleted.generation;
    WriteAuditEvent(tx, info, k, name, generation);
    QueueRecords(tx, RecordsForObjectDeletion(kind, name, generation, deleted.update_us));
    NotifyRelay(tx);
    tx.commit();
  });
  return generation;
}

AuditPage PgResourceStore::ListAuditEvents(const AuditQuery& query) {
  AuditPage page;
  pool_.Run([&](pqxx::connection& conn) {
    page = {};
    pqxx::nontransaction tx(conn);
    pqxx::result r =
        tx.exec_prepared("audit_list", query.object_kind, query.object_name, query.before_id, query.limit + 1);
    for (pqxx::result::size_type i = 0; i < r.size() && int(i) < query.limit; ++i) {
      const auto& row = r[i];
      page.events.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<std::string>(),
                             row[3].as<std::string>(), row[4].as<std::string>(), row[5].as<std::string>(),
                             row[6].as<int64_t>()});
    }
    page.more = int(r.size()) > query.limit;
  });
  return page;
}

}  // namespace nebula::api_manager
