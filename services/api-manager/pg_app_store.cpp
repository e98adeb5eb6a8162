#include "pg_app_store.h"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>

#include "app_requests.h"
#include "desired_records.h"
#include "error.h"
#include "pg_names.h"
#include "validation.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::TimeUtil;
using nebula::v1::App;
using nebula::v1::AppSpec;

// Timestamps travel as integer microseconds since the epoch (extract() is exact numeric in PG 14+).
#define MICROS(column) "(extract(epoch FROM " column ") * 1000000)::bigint"

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

// Columns: generation, spec, create_us, update_us.
App AppFromRow(const std::string& name, const pqxx::row& row) {
  App app;
  app.set_name(name);
  app.set_generation(row[0].as<int64_t>());
  *app.mutable_spec() = ParseSpec(name, row[1]);
  *app.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[2].as<int64_t>());
  *app.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row[3].as<int64_t>());
  return app;
}

std::string Bytes(const google::protobuf::Message& message) { return SerializeDeterministic(message); }

// Revision, outbox rows and the relay's wake-up: the tail of every write transaction.
void RecordChange(pqxx::work& tx, const App& app, const char* action, const std::string& actor,
                  const std::vector<OutboxRecord>& records) {
  tx.exec_prepared("revision_insert", app.name(), app.generation(), action, pqxx::binarystring(Bytes(app.spec())),
                   actor);
  for (const auto& record : records) {
    if (record.payload) {
      tx.exec_prepared("outbox_insert", record.key, pqxx::binarystring(*record.payload));
    } else {
      tx.exec_prepared("outbox_insert_tombstone", record.key);
    }
  }
  tx.exec(std::string("NOTIFY ") + kOutboxChannel);
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
  Prepare(conn, "app_lock",
          "SELECT generation, spec, " MICROS("create_time") ", " MICROS("update_time") " FROM apps "
          "WHERE name = $1 AND deleted_at IS NULL FOR UPDATE");
  Prepare(conn, "app_list",
          "SELECT generation, spec, " MICROS("create_time") ", " MICROS("update_time") ", name FROM apps "
          "WHERE deleted_at IS NULL AND name > $1 ORDER BY name LIMIT $2");
  Prepare(conn, "app_update",
          "UPDATE apps SET generation = generation + 1, spec = $2, update_time = now() WHERE name = $1 "
          "RETURNING generation, spec, " MICROS("create_time") ", " MICROS("update_time"));
  Prepare(conn, "app_delete",
          "UPDATE apps SET generation = generation + 1, update_time = now(), deleted_at = now() WHERE name = $1 "
          "RETURNING generation, spec, " MICROS("create_time") ", " MICROS("update_time"));
  Prepare(conn, "revision_insert",
          "INSERT INTO app_revisions (name, generation, action, spec, actor, time) VALUES ($1, $2, $3, $4, $5, now())");
  Prepare(conn, "outbox_insert", "INSERT INTO outbox (key, payload) VALUES ($1, $2)");
  Prepare(conn, "outbox_insert_tombstone", "INSERT INTO outbox (key, payload) VALUES ($1, NULL)");
}

App PgAppStore::Create(const std::string& name, const AppSpec& spec, const std::string& actor) {
  App app;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared("app_create", name, pqxx::binarystring(Bytes(spec)));
    if (r.empty())
      throw Error(ErrorCode::kAlreadyExists, "app " + QuoteForMessage(name) +
                                                 " already exists; change it with UpdateApp, or delete it first");
    app = AppFromRow(name, r[0]);
    RecordChange(tx, app, "create", actor, RecordsForAppChange(app));
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
                       const std::string& actor) {
  App app;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result current_row = tx.exec_prepared("app_lock", name);
    if (current_row.empty()) throw NotFound(name);
    App current = AppFromRow(name, current_row[0]);
    CheckExpectedGeneration(name, expected_generation, current.generation());
    AppSpec spec = change(current);
    pqxx::result r = tx.exec_prepared("app_update", name, pqxx::binarystring(Bytes(spec)));
    app = AppFromRow(name, r[0]);
    RecordChange(tx, app, "update", actor, RecordsForAppChange(app));
    tx.commit();
  });
  return app;
}

int64_t PgAppStore::Delete(const std::string& name, int64_t expected_generation, const std::string& actor) {
  int64_t generation = 0;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result current_row = tx.exec_prepared("app_lock", name);
    if (current_row.empty()) throw NotFound(name);
    CheckExpectedGeneration(name, expected_generation, current_row[0][0].as<int64_t>());
    pqxx::result r = tx.exec_prepared("app_delete", name);
    App deleted = AppFromRow(name, r[0]);
    generation = deleted.generation();
    RecordChange(tx, deleted, "delete", actor, RecordsForAppDeletion(name, generation, deleted.update_time()));
    tx.commit();
  });
  return generation;
}

}  // namespace nebula::api_manager
