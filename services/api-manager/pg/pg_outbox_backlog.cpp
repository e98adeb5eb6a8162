#include "api-manager/pg/pg_outbox_backlog.h"

#include <pqxx/pqxx>

namespace nebula::api_manager {

int64_t CountOutboxRows(PgPool& pool) {
  int64_t rows = 0;
  pool.Run([&](pqxx::connection& conn) {
    pqxx::read_transaction tx(conn);
    rows = tx.exec1("SELECT count(*) FROM outbox")[0].as<int64_t>();
  });
  return rows;
}

}  // namespace nebula::api_manager
