// The long-lived sessions outside the pool (the relay's outbox session, the read cache's LISTENing
// session) report a database failure as UNAVAILABLE with the session's name and libpq's text on one line:
// their loops log it and reconnect, and the name tells an operator which session broke.
#pragma once

#include <pqxx/except>
#include <string_view>

#include "error.h"
#include "pg_pool.h"

namespace nebula::api_manager {

template <class Fn>
auto WithSessionErrors(std::string_view session, Fn&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kUnavailable, std::string(session) + " database session: " + PgErrorText(e));
  }
}

}  // namespace nebula::api_manager
