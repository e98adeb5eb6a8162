// The long-lived sessions outside the pool: the relay's outbox session (holds the advisory lock) and the
// read cache's LISTENing session.
#pragma once

#include <memory>
#include <pqxx/connection>
#include <pqxx/except>
#include <pqxx/nontransaction>
#include <string>
#include <string_view>

#include "common/error.h"
#include "api-manager/pg/pg_pool.h"

namespace nebula::api_manager {

// A database failure leaves as UNAVAILABLE with the session's name and libpq's text on one line: the
// session's loop logs it and reconnects, and the name tells an operator which session broke.
template <class Fn>
auto WithSessionErrors(std::string_view session, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kUnavailable, std::string(session) + " database session: " + PgErrorText(e));
  }
}

// A session that libpqxx never re-establishes silently: a new backend would hold neither the lock nor
// the LISTEN, so the owner must notice the break and start over. Named in pg_stat_activity.
inline std::unique_ptr<pqxx::connection> OpenSession(const std::string& url, const std::string& application_name) {
  auto conn = std::make_unique<pqxx::connection>(url);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  conn->inhibit_reactivation(true);
#pragma GCC diagnostic pop
  pqxx::nontransaction(*conn).exec("SET application_name = " + conn->quote(application_name));
  return conn;
}

}  // namespace nebula::api_manager
