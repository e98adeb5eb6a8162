#include "api-manager/pg/pg_app_store.h"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>

#include "api-manager/store/app_cache.h"
#include "api-manager/rules/app_requests.h"
#include "api-manager/rules/desired_records.h"
#include "common/error.h"
#include "api-manager/pg/pg_change_log.h"
#include "api-manager/pg/pg_names.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::TimeUtil;
using nebula::v1::App;
using nebula::v1::AppSpec;

#define MICROS(column) NEBULA_PG_MICROS(column)

void Prepare(pqxx::connection& conn, const char* name, const std::string& sql) { conn.prepare(name, sql); }

Error NotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "app " + QuoteForMessage(name) + " not found; ListApps shows the existing apps");
}

AppSpec ParseSpec(const std::string& name, const pqxx::field& field) {
  AppSpec spec;
  pqxx::binarystring bytes(field);
  if (!spec.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(ErrorCode::kInternal, "the stored spec of app " + QuoteForMessage(name) + " is unreadable");
  return spec;
}

}  // namespace

App AppFromPgRow(const std::string& name, const pqxx::row& row) {
  App app;
  app.set_name(name);
  app.set_generation(row[0].as<int64_t>());
  *app.mutable_spec() = ParseSpec(name, row[1]);
  *app.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[2].as<int64_t>());
  *app.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row[3].as<int64_t>());
  return app;
}

namespace {

App AppFromRow(const std::string& name, const pqxx::row& row) { return AppFromPgRow(name, row); }

std::string Bytes(const google::protobuf::Message& message) { return SerializeDeterministic(message); }

// Revision, audit event, outbox rows and the relay's wake-up: the tail of every write transaction.
void RecordChange(pqxx::work& tx, const App& app, const WriteInfo& info, bool deleted,
                  const std::vector<OutboxRecord>& records) {
  tx.exec_prepared("revision_insert", app.name(), app.generation(), info.action, pqxx::binarystring(Bytes(app.spec())),
                   info.actor, deleted, info.rolled_back_to);
  WriteAuditEvent(tx, info, "app", app.name(), app.generation());
  QueueRecords(tx, records);
  NotifyAppChange(tx, app.name(), app.generation());
}

// Columns: generation, action, actor, time_us, spec, deleted, rolled_back_to.
Revision RevisionFromRow(const std::string& name, const pqxx::row& row) {
  Revision revision;
  revision.generation = row[0].as<int64_t>();
  revision.action = row[1].as<std::string>();
  revision.actor = row[2].as<std::string>();
  revision.time_us = row[3].as<int64_t>();
  revision.spec = ParseSpec(name, row[4]);
  revision.deleted = row[5].as<bool>();
  revision.rolled_back_to = row[6].as<int64_t>();
  return revision;
}

}  // namespace

void PgAppStore::PrepareStatements(pqxx::connection& conn) {
  // Create, or revive a deleted app one past its last generation; no row back = it is live.
  Prepare(conn, "app_create",
          "INSERT INTO apps AS a (name, generation, spec, create_time, update_time, deleted_at) "
          "VALUES ($1, 1, $2, now(), now(), NULL) "
          "ON CONFLICT (name) DO UPDATE SET generation = a.generation + 1, spec = EXCLUDED.spec, "
          "  create_time = now(), update_time = now(), deleted_at = NULL "
          "WHERE a.deleted_at IS NOT NULL "
          "RETURNING generation, spec, " MICROS("create_time") ", " MICROS("update_time"));
  Prepare(conn, "app_get",
          "SELECT generation, spec, " MICROS("create_time") ", " MICROS("update_time") " FROM apps "
          "WHERE name = $1 AND deleted_at IS NULL");
  // Also the transaction's now(), which becomes the update_time of the change.
  Prepare(conn, "app_lock",
          "SELECT generation, spec, " MICROS("create_time") ", " MICROS("update_time") ", " MICROS(
              "now()") " FROM apps WHERE name = $1 AND deleted_at IS NULL FOR UPDATE");
  Prepare(conn, "app_list",
          "SELECT generation, spec, " MICROS("create_time") ", " MICROS("update_time") ", name FROM apps "
          "WHERE deleted_at IS NULL AND name > $1 ORDER BY name LIMIT $2");
  Prepare(conn, "app_delete",
          "UPDATE apps SET generation = generation + 1, update_time = now(), deleted_at = now() WHERE name = $1 "
          "RETURNING generation, spec, " MICROS("create_time") ", " MICROS("update_time"));
  // A whole update after app_lock in one round trip: the new generation, revision, audit event,
  // outbox record and NOTIFY ($1 name, $2 generation, $3 spec, $4 action, $5 actor, $6
  // rolled_back_to, $7 outbox key, $8 outbox payload, $9 notification).
  Prepare(conn, "app_update_logged",
          "WITH u AS (UPDATE apps SET generation = $2::bigint, spec = $3::bytea, update_time = now() "
          "           WHERE name = $1::text RETURNING generation), "
          " r AS (INSERT INTO app_revisions (name, generation, action, spec, actor, time, deleted, rolled_back_to) "
          "       SELECT $1::text, generation, $4::text, $3::bytea, $5::text, now(), false, $6::bigint FROM u), "
          " a AS (INSERT INTO audit_events (time, actor, action, object_kind, object_name, generation) "
          "       SELECT now(), $5::text, $4::text, 'app', $1::text, generation FROM u), "
          " o AS (INSERT INTO outbox (key, payload) SELECT $7::text, $8::bytea FROM u) "
          "SELECT pg_notify('" +
              std::string(kOutboxChannel) + "', $9::text) FROM u");
  Prepare(conn, "revision_insert",
          "INSERT INTO app_revisions (name, generation, action, spec, actor, time, deleted, rolled_back_to) "
          "VALUES ($1, $2, $3, $4, $5, now(), $6, $7)");
  Prepare(conn, "revision_list",
          "SELECT generation, action, actor, " MICROS("time") ", spec, deleted, rolled_back_to FROM app_revisions "
          "WHERE name = $1 AND ($2 = 0 OR generation < $2) ORDER BY generation DESC LIMIT $3");
  Prepare(conn, "revision_get",
          "SELECT generation, action, actor, " MICROS("time") ", spec, deleted, rolled_back_to FROM app_revisions "
          "WHERE name = $1 AND generation = $2");
  PrepareChangeLogStatements(conn);
}

App PgAppStore::Create(const std::string& name, const AppSpec& spec, const WriteInfo& info) {
  App app;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared("app_create", name, pqxx::binarystring(Bytes(spec)));
    if (r.empty())
      throw Error(ErrorCode::kAlreadyExists,
                  "app " + QuoteForMessage(name) + " already exists; change it with UpdateApp, or delete it first");
    app = AppFromRow(name, r[0]);
    RecordChange(tx, app, info, false, RecordsForAppChange(app));
    tx.commit();
  });
  return app;
}

App PgAppStore::Get(const std::string& name) {
  App app;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);  // one statement: no BEGIN/COMMIT round trips
    pqxx::result r = tx.exec_prepared("app_get", name);
    if (r.empty()) throw NotFound(name);
    app = AppFromRow(name, r[0]);
  });
  return app;
}

AppPage PgAppStore::List(const std::string& after_name, int limit) {
  AppPage page;
  pool_.Run([&](pqxx::connection& conn) {
    page = {};
    pqxx::nontransaction tx(conn);
    // One extra row tells whether another page follows.
    pqxx::result r = tx.exec_prepared("app_list", after_name, limit + 1);
    for (pqxx::result::size_type i = 0; i < r.size() && int(i) < limit; ++i)
      page.apps.push_back(AppFromRow(r[i][4].as<std::string>(), r[i]));
    page.more = int(r.size()) > limit;
  });
  return page;
}

App PgAppStore::Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                       const WriteInfo& info) {
  App app;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result current_row = tx.exec_prepared("app_lock", name);
    if (current_row.empty()) throw NotFound(name);
    App current = AppFromRow(name, current_row[0]);
    CheckExpectedGeneration(name, expected_generation, current.generation());
    const std::string spec_bytes = Bytes(change(current));
    // The row is locked: the new generation and update_time (now()) are known before writing, so
    // the outbox record is built here and everything goes in one statement.
    app = current;
    app.set_generation(current.generation() + 1);
    if (!app.mutable_spec()->ParseFromString(spec_bytes))  // as stored, like a later Get returns it
      throw Error(ErrorCode::kInternal, "the new spec of app " + QuoteForMessage(name) + " cannot be read back");
    *app.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(current_row[0][4].as<int64_t>());
    std::vector<OutboxRecord> records = RecordsForAppChange(app);
    if (records.size() != 1 || !records[0].payload)
      throw Error(ErrorCode::kInternal, "an app change must be one outbox record");
    tx.exec_prepared("app_update_logged", name, app.generation(), pqxx::binarystring(spec_bytes), info.action,
                     info.actor, info.rolled_back_to, records[0].key, pqxx::binarystring(*records[0].payload),
                     AppChangePayload(name, app.generation()));
    tx.commit();
  });
  return app;
}

int64_t PgAppStore::Delete(const std::string& name, int64_t expected_generation, bool force, const WriteInfo& info) {
  int64_t generation = 0;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result current_row = tx.exec_prepared("app_lock", name);
    if (current_row.empty()) throw NotFound(name);
    CheckExpectedGeneration(name, expected_generation, current_row[0][0].as<int64_t>());
    ReleaseFromGroups(tx, "app", name, force, info);
    pqxx::result r = tx.exec_prepared("app_delete", name);
    App deleted = AppFromRow(name, r[0]);
    generation = deleted.generation();
    RecordChange(tx, deleted, info, true, RecordsForAppDeletion(name, generation, deleted.update_time()));
    tx.commit();
  });
  return generation;
}

RevisionPage PgAppStore::ListRevisions(const std::string& name, int64_t before, int limit) {
  RevisionPage page;
  pool_.Run([&](pqxx::connection& conn) {
    page = {};
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_prepared("revision_list", name, before, limit + 1);
    for (pqxx::result::size_type i = 0; i < r.size() && int(i) < limit; ++i)
      page.revisions.push_back(RevisionFromRow(name, r[i]));
    page.more = int(r.size()) > limit;
  });
  return page;
}

std::optional<Revision> PgAppStore::GetRevision(const std::string& name, int64_t generation) {
  std::optional<Revision> revision;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_prepared("revision_get", name, generation);
    revision.reset();
    if (!r.empty()) revision = RevisionFromRow(name, r[0]);
  });
  return revision;
}

}  // namespace nebula::api_manager
