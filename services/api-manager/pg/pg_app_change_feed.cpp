#include "api-manager/pg/pg_app_change_feed.h"

#include <pqxx/pqxx>

#include "common/error.h"
#include "api-manager/pg/pg_app_store.h"
#include "api-manager/pg/pg_change_log.h"
#include "api-manager/pg/pg_names.h"
#include "api-manager/pg/pg_pool.h"
#include "api-manager/pg/pg_session.h"

namespace nebula::api_manager {
namespace {

constexpr std::string_view kCacheSession = "app cache";

// A round trip on the session at most this often: it flushes the notifications of everything
// committed before it was sent, which is what FeedBatch::as_of promises.
constexpr auto kPingInterval = std::chrono::milliseconds(100);

#define MICROS(column) NEBULA_PG_MICROS(column)
constexpr const char* kSelectApps =
    "SELECT generation, spec, " MICROS("create_time") ", " MICROS("update_time") ", name, deleted_at IS NOT NULL "
    "FROM apps";

std::vector<AppState> StatesFrom(const pqxx::result& result) {
  std::vector<AppState> states;
  states.reserve(result.size());
  for (const auto& row : result) {
    AppState state;
    state.app = AppFromPgRow(row[4].as<std::string>(), row);
    state.deleted = row[5].as<bool>();
    if (state.deleted) state.app.clear_spec();
    states.push_back(std::move(state));
  }
  return states;
}

// A text[] literal: every element double-quoted, with " and \ escaped.
std::string TextArray(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    out += i ? ",\"" : "\"";
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

}  // namespace

class PgAppChangeFeed::Receiver final : public pqxx::notification_receiver {
 public:
  Receiver(pqxx::connection& conn, std::vector<AppChange>& received)
      : pqxx::notification_receiver(conn, kOutboxChannel), received_(received) {}
  void operator()(const std::string& payload, int) override {
    if (auto change = ParseAppChange(payload)) received_.push_back(std::move(*change));
  }

 private:
  std::vector<AppChange>& received_;
};

PgAppChangeFeed::PgAppChangeFeed(std::string database_url) : url_(std::move(database_url)) {}

PgAppChangeFeed::~PgAppChangeFeed() { Close(); }

void PgAppChangeFeed::Open() {
  Close();
  WithSessionErrors(kCacheSession, [&] {
    conn_ = OpenSession(url_, "nebula-api-manager app cache");
    backend_pid_ = conn_->backendpid();
    receiver_ = std::make_unique<Receiver>(*conn_, received_);  // issues LISTEN
    confirmed_ = std::chrono::steady_clock::now();
  });
}

void PgAppChangeFeed::Close() {
  receiver_.reset();
  conn_.reset();
  received_.clear();
  backend_pid_ = 0;
}

void PgAppChangeFeed::CheckSession() const {
  if (!conn_ || !conn_->is_open() || conn_->backendpid() != backend_pid_)
    throw pqxx::broken_connection("the app cache's database session ended");
}

std::vector<AppState> PgAppChangeFeed::LoadAll() {
  return WithSessionErrors(kCacheSession, [&] {
    CheckSession();
    pqxx::nontransaction tx(*conn_);
    return StatesFrom(tx.exec(kSelectApps));
  });
}

std::vector<AppState> PgAppChangeFeed::Load(const std::vector<std::string>& names) {
  return WithSessionErrors(kCacheSession, [&] {
    CheckSession();
    pqxx::nontransaction tx(*conn_);
    return StatesFrom(tx.exec_params(std::string(kSelectApps) + " WHERE name = ANY($1::text[])", TextArray(names)));
  });
}

FeedBatch PgAppChangeFeed::Wait(std::chrono::milliseconds timeout) {
  return WithSessionErrors(kCacheSession, [&] {
    CheckSession();
    if (received_.empty()) {
      auto ms = timeout.count();
      conn_->await_notification(static_cast<long>(ms / 1000), static_cast<long>((ms % 1000) * 1000));
      CheckSession();
    }
    auto sent = std::chrono::steady_clock::now();
    if (sent - confirmed_ >= kPingInterval) {
      pqxx::nontransaction(*conn_).exec("SELECT 1");
      conn_->get_notifs();
      confirmed_ = sent;
    }
    FeedBatch batch{.changes = std::move(received_), .as_of = confirmed_};
    received_.clear();
    return batch;
  });
}

}  // namespace nebula::api_manager
