#include "api-manager/pg/pg_outbox.h"

#include <pqxx/pqxx>

#include "common/error.h"
#include "api-manager/pg/pg_names.h"
#include "api-manager/pg/pg_pool.h"
#include "api-manager/pg/pg_session.h"

namespace nebula::api_manager {

class PgOutbox::Listener final : public pqxx::notification_receiver {
 public:
  Listener(pqxx::connection& conn, bool& notified)
      : pqxx::notification_receiver(conn, kOutboxChannel), notified_(notified) {}
  void operator()(const std::string&, int) override { notified_ = true; }

 private:
  bool& notified_;
};

constexpr std::string_view kOutboxSession = "outbox";

PgOutbox::PgOutbox(std::string database_url) : url_(std::move(database_url)) {}

PgOutbox::~PgOutbox() { Resign(); }

bool PgOutbox::TryLead() {
  return WithSessionErrors(kOutboxSession, [&] { return TryLeadOnce(); });
}

bool PgOutbox::TryLeadOnce() {
  if (listener_) {
    CheckSession();
    return true;
  }
  if (!conn_) {
    conn_ = OpenSession(url_, "nebula-api-manager outbox relay");
  }
  pqxx::nontransaction tx(*conn_);
  bool locked = tx.exec("SELECT pg_try_advisory_lock(" + std::to_string(kRelayLockKey) + ")")[0][0].as<bool>();
  tx.commit();
  if (!locked) return false;
  backend_pid_ = conn_->backendpid();
  notified_ = false;
  listener_ = std::make_unique<Listener>(*conn_, notified_);  // issues LISTEN
  return true;
}

void PgOutbox::Resign() {
  listener_.reset();
  conn_.reset();  // closing the session releases the session-level lock
  backend_pid_ = 0;
}

void PgOutbox::CheckSession() const {
  if (!conn_ || !conn_->is_open() || conn_->backendpid() != backend_pid_)
    throw pqxx::broken_connection("the outbox relay's database session ended");
}

std::vector<OutboxRow> PgOutbox::Read(size_t limit) {
  return WithSessionErrors(kOutboxSession, [&] { return ReadOnce(limit); });
}

std::vector<OutboxRow> PgOutbox::ReadOnce(size_t limit) {
  CheckSession();
  std::vector<OutboxRow> rows;
  pqxx::nontransaction tx(*conn_);
  for (const auto& r : tx.exec_params("SELECT id, key, payload FROM outbox ORDER BY id LIMIT $1", int64_t(limit))) {
    OutboxRow row;
    row.id = r[0].as<int64_t>();
    row.key = r[1].as<std::string>();
    if (!r[2].is_null()) row.payload = pqxx::binarystring(r[2]).str();
    rows.push_back(std::move(row));
  }
  return rows;
}

void PgOutbox::Remove(const std::vector<int64_t>& ids) {
  if (ids.empty()) return;
  WithSessionErrors(kOutboxSession, [&] {
    CheckSession();
    std::string array = "{";
    for (size_t i = 0; i < ids.size(); ++i) array += (i ? "," : "") + std::to_string(ids[i]);
    array += "}";
    pqxx::nontransaction tx(*conn_);
    tx.exec_params("DELETE FROM outbox WHERE id = ANY($1::bigint[])", array);
  });
}

bool PgOutbox::WaitForChange(std::chrono::milliseconds timeout) {
  return WithSessionErrors(kOutboxSession, [&] {
    CheckSession();
    if (!notified_) {
      auto ms = timeout.count();
      conn_->await_notification(static_cast<long>(ms / 1000), static_cast<long>((ms % 1000) * 1000));
    }
    bool was = notified_;
    notified_ = false;
    return was;
  });
}

}  // namespace nebula::api_manager
