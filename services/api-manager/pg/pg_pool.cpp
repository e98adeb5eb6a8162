#include "api-manager/pg/pg_pool.h"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "common/error.h"

namespace nebula::api_manager {
namespace {

std::string OneLine(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
    if (c == ' ' && (out.empty() || out.back() == ' ')) continue;
    out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace

std::string PgErrorText(const std::exception& error) { return OneLine(error.what()); }

PgPool::PgPool(Settings settings) : settings_(std::move(settings)) {}

PgPool::~PgPool() = default;

std::unique_ptr<pqxx::connection> PgPool::Acquire() {
  {
    std::unique_lock lock(mutex_);
    bool ready = available_.wait_for(lock, settings_.acquire_timeout,
                                     [&] { return !idle_.empty() || open_ < settings_.max_connections; });
    if (!ready)
      throw Error(ErrorCode::kUnavailable, "all " + std::to_string(settings_.max_connections) +
                                               " database connections stayed busy for " +
                                               std::to_string(settings_.acquire_timeout.count()) + " ms; retry later");
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
  }
  try {
    auto conn = std::make_unique<pqxx::connection>(settings_.url);
    pqxx::nontransaction(*conn).exec("SET statement_timeout = " + std::to_string(settings_.statement_timeout.count()) +
                                     "; SET application_name = 'nebula-api-manager'");
    if (settings_.on_connect) settings_.on_connect(*conn);
    return conn;
  } catch (const std::exception& e) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    available_.notify_one();
    throw Error(ErrorCode::kUnavailable, "cannot connect to the database: " + OneLine(e.what()) + "; retry later");
  }
}

void PgPool::Release(std::unique_ptr<pqxx::connection> conn) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(conn));
  }
  available_.notify_one();
}

void PgPool::Discard(std::unique_ptr<pqxx::connection> conn) {
  conn.reset();
  std::vector<std::unique_ptr<pqxx::connection>> stale;
  {
    std::lock_guard lock(mutex_);
    // When one connection broke the others most likely did too (database restart): drop the idle ones.
    stale.swap(idle_);
    open_ -= 1 + stale.size();
  }
  available_.notify_all();
}

void PgPool::Run(const std::function<void(pqxx::connection&)>& work) {
  constexpr int kAttempts = 2;
  for (int attempt = 1;; ++attempt) {
    auto conn = Acquire();
    try {
      work(*conn);
      Release(std::move(conn));
      return;
    } catch (const pqxx::broken_connection& e) {
      Discard(std::move(conn));
      // Nothing was committed: the connection broke before or during the transaction.
      if (attempt < kAttempts) {
        spdlog::warn("database connection lost ({}); retrying on a new connection", OneLine(e.what()));
        continue;
      }
      throw Error(ErrorCode::kUnavailable, "database unavailable: " + OneLine(e.what()) + "; retry later");
    } catch (const pqxx::in_doubt_error& e) {
      Discard(std::move(conn));
      throw Error(ErrorCode::kUnavailable,
                  "the database connection broke while committing, so the change may or may not have been applied; "
                  "read the app again before retrying");
    } catch (const pqxx::sql_error& e) {
      Release(std::move(conn));  // the transaction rolled back; the session is fine
      const std::string& state = e.sqlstate();
      if (state == "57014" || state == "55P03")  // query_canceled (statement_timeout), lock_not_available
        throw Error(ErrorCode::kUnavailable, "the database did not answer in time; retry later");
      if (state == "40001" || state == "40P01")  // serialization_failure, deadlock_detected
        throw Error(ErrorCode::kAborted, "the change conflicted with a concurrent one; retry it");
      spdlog::error("database error (SQLSTATE {}): {}", state, OneLine(e.what()));
      throw Error(ErrorCode::kInternal, "database error (SQLSTATE " + state + "); see the api-manager log");
    } catch (...) {
      Release(std::move(conn));
      throw;
    }
  }
}

}  // namespace nebula::api_manager
