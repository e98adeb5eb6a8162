#include "api-manager/pg/pg_generation_store.h"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>

#include "api-manager/pg/pg_app_store.h"
#include "api-manager/pg/pg_change_log.h"
#include "api-manager/rules/desired_records.h"
#include "api-manager/rules/resource_requests.h"
#include "api-manager/store/resource_store.h"
#include "common/desired_keys.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::TimeUtil;

#define MICROS(column) NEBULA_PG_MICROS(column)

// Moves the app row and queues what it now says. A key no row has gets a deleted row as a floor and
// nothing published (`xmax = 0`: the row was inserted, not updated).
bool JumpApp(pqxx::work& tx, const std::string& name, const GenerationJump& jump, const WriteInfo& info) {
  const std::string empty_spec = SerializeDeterministic(nebula::v1::AppSpec());
  pqxx::result r = tx.exec_params(
      "INSERT INTO apps AS a (name, generation, spec, create_time, update_time, deleted_at) "
      "VALUES ($1, $2, $3, now(), now(), now()) "
      "ON CONFLICT (name) DO UPDATE SET generation = EXCLUDED.generation, update_time = now() "
      "WHERE a.generation = $4 "
      "RETURNING generation, spec, " MICROS("create_time") ", " MICROS("update_time") ", deleted_at IS NOT NULL, "
      "xmax = 0",
      name, jump.to, pqxx::binarystring(empty_spec), jump.stored);
  if (r.empty()) return false;  // moved by a write meanwhile
  const nebula::v1::App app = AppFromPgRow(name, r[0]);
  const bool deleted = r[0][4].as<bool>();
  tx.exec_prepared("revision_insert", name, app.generation(), info.action,
                   pqxx::binarystring(SerializeDeterministic(app.spec())), info.actor, deleted, int64_t{0});
  WriteAuditEvent(tx, info, "app", name, app.generation());
  if (r[0][5].as<bool>()) return true;  // inserted: a floor only, nothing to republish
  QueueRecords(tx,
               deleted ? RecordsForAppDeletion(name, app.generation(), app.update_time()) : RecordsForAppChange(app));
  NotifyAppChange(tx, name, app.generation());
  return true;
}

bool JumpObject(pqxx::work& tx, ResourceKind kind, const std::string& name, const GenerationJump& jump,
                const WriteInfo& info) {
  const std::string k(ResourceKindName(kind));
  pqxx::result r = tx.exec_params(
      "INSERT INTO objects AS o (kind, name, generation, body, create_time, update_time, deleted_at) "
      "VALUES ($1, $2, $3, ''::bytea, now(), now(), now()) "
      "ON CONFLICT (kind, name) DO UPDATE SET generation = EXCLUDED.generation, update_time = now() "
      "WHERE o.generation = $4 "
      "RETURNING generation, body, " MICROS("create_time") ", " MICROS("update_time") ", deleted_at IS NOT NULL, "
      "xmax = 0",
      k, name, jump.to, jump.stored);
  if (r.empty()) return false;
  const StoredObject object = ObjectFromRow(name, r[0]);
  const bool deleted = r[0][4].as<bool>();
  WriteAuditEvent(tx, info, k, name, object.generation);
  if (r[0][5].as<bool>()) return true;  // inserted: a floor only, nothing to republish
  QueueRecords(tx, deleted ? RecordsForObjectDeletion(kind, name, object.generation, object.update_us)
                           : RecordsForObjectChange(kind, object));
  NotifyRelay(tx);
  return true;
}

}  // namespace

GenerationsByKey PgGenerationStore::StoredGenerations() {
  GenerationsByKey stored;
  pool_.Run([&](pqxx::connection& conn) {
    stored.clear();
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec("SELECT name, generation FROM apps"))
      stored[AppKey(row[0].as<std::string>())] = row[1].as<int64_t>();
    for (const auto& row : tx.exec("SELECT kind, name, generation FROM objects")) {
      const std::string kind = row[0].as<std::string>(), name = row[1].as<std::string>();
      const std::string key = kind == "device_group" ? DeviceGroupKey(name)
                              : kind == "cron_job"   ? CronJobKey(name)
                                                     : std::string(kGlobalKey);
      stored[key] = row[2].as<int64_t>();
    }
  });
  return stored;
}

bool PgGenerationStore::Jump(const GenerationJump& jump, const WriteInfo& info) {
  const std::optional<KeyedObject> row = ObjectOfKey(jump.key);
  if (!row) return false;
  bool wrote = false;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    wrote = row->app ? JumpApp(tx, row->name, jump, info) : JumpObject(tx, row->kind, row->name, jump, info);
    tx.commit();
  });
  return wrote;
}

}  // namespace nebula::api_manager
