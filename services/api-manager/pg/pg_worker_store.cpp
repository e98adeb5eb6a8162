#include "api-manager/pg/pg_worker_store.h"

#include <pqxx/pqxx>

#include "common/error.h"
#include "nebula/v1/worker.pb.h"

namespace nebula::api_manager {
namespace {

std::string Bytes(const pqxx::field& field) {
  pqxx::binarystring bytes(field);
  return bytes.str();
}

std::string ErrorsBytes(const std::vector<std::string>& errors) {
  nebula::v1::FailingHost carrier;
  for (const auto& e : errors) carrier.add_errors(e);
  return carrier.SerializeAsString();
}

std::vector<std::string> ParseErrors(const pqxx::field& field) {
  nebula::v1::FailingHost carrier;
  if (!carrier.ParseFromString(Bytes(field))) throw Error(ErrorCode::kInternal, "stored worker errors are unreadable");
  return {carrier.errors().begin(), carrier.errors().end()};
}

}  // namespace

void PgWorkerStore::PrepareStatements(pqxx::connection& conn) {
  // No row back: the stored report is newer, leave everything as it is.
  conn.prepare("worker_upsert",
               "INSERT INTO workers AS w (id, hostname, report, last_seen_us) VALUES ($1, $2, $3, $4) "
               "ON CONFLICT (id) DO UPDATE SET hostname = EXCLUDED.hostname, report = EXCLUDED.report, "
               "  last_seen_us = EXCLUDED.last_seen_us "
               "WHERE w.last_seen_us <= EXCLUDED.last_seen_us RETURNING id");
  conn.prepare("worker_apps_clear", "DELETE FROM worker_apps WHERE worker_id = $1");
  conn.prepare("worker_app_insert",
               "INSERT INTO worker_apps (worker_id, app, observed_generation, converged_generation, error_count, "
               "errors) VALUES ($1, $2, $3, $4, $5, $6)");
  conn.prepare("worker_delete", "DELETE FROM workers WHERE id = $1");
  conn.prepare("worker_get", "SELECT report, last_seen_us FROM workers WHERE id = $1");
  conn.prepare("worker_list", "SELECT report, last_seen_us FROM workers WHERE id > $1 ORDER BY id LIMIT $2");
  conn.prepare("worker_hosts_of",
               "SELECT a.worker_id, a.observed_generation, a.converged_generation, a.errors, w.hostname, "
               "w.last_seen_us FROM worker_apps a JOIN workers w ON w.id = a.worker_id WHERE a.app = $1 "
               "ORDER BY a.worker_id");
}

bool PgWorkerStore::Fold(const FoldedReport& report) {
  bool applied = false;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    pqxx::result r = tx.exec_prepared("worker_upsert", report.worker_id, report.hostname,
                                      pqxx::binarystring(report.report), report.last_seen);
    applied = !r.empty();
    if (!applied) return;
    tx.exec_prepared("worker_apps_clear", report.worker_id);
    for (const auto& row : report.apps) {
      tx.exec_prepared("worker_app_insert", report.worker_id, row.app, row.observed_generation,
                       row.converged_generation, static_cast<int>(row.errors.size()),
                       pqxx::binarystring(ErrorsBytes(row.errors)));
    }
    tx.commit();
  });
  return applied;
}

void PgWorkerStore::Forget(const std::string& worker_id) {
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    tx.exec_prepared("worker_delete", worker_id);  // worker_apps go with it (ON DELETE CASCADE)
    tx.commit();
  });
}

std::optional<StoredWorker> PgWorkerStore::Get(const std::string& id) {
  std::optional<StoredWorker> worker;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_prepared("worker_get", id);
    if (r.empty()) return;
    worker = StoredWorker{Bytes(r[0][0]), r[0][1].as<int64_t>()};
  });
  return worker;
}

WorkerPage PgWorkerStore::List(const std::string& after_id, int limit) {
  WorkerPage page;
  pool_.Run([&](pqxx::connection& conn) {
    page = {};
    pqxx::nontransaction tx(conn);
    pqxx::result r = tx.exec_prepared("worker_list", after_id, limit + 1);  // one extra: another page?
    for (pqxx::result::size_type i = 0; i < r.size() && int(i) < limit; ++i)
      page.workers.push_back(StoredWorker{Bytes(r[i][0]), r[i][1].as<int64_t>()});
    page.more = int(r.size()) > limit;
  });
  return page;
}

std::vector<HostStatusRow> PgWorkerStore::HostsOf(const std::string& app) {
  std::vector<HostStatusRow> hosts;
  pool_.Run([&](pqxx::connection& conn) {
    hosts.clear();
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec_prepared("worker_hosts_of", app)) {
      HostStatusRow host;
      host.app.worker_id = row[0].as<std::string>();
      host.app.app = app;
      host.app.observed_generation = row[1].as<int64_t>();
      host.app.converged_generation = row[2].as<int64_t>();
      host.app.errors = ParseErrors(row[3]);
      host.hostname = row[4].as<std::string>();
      host.last_seen = row[5].as<int64_t>();
      hosts.push_back(std::move(host));
    }
  });
  return hosts;
}

}  // namespace nebula::api_manager
