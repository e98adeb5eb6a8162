// The outbox backlog for /metrics: rows written but not yet relayed.
#pragma once

#include <cstdint>

#include "api-manager/pg/pg_pool.h"

namespace nebula::api_manager {

// SELECT count(*) FROM outbox. Throws nebula::Error like PgPool::Run.
int64_t CountOutboxRows(PgPool& pool);

}  // namespace nebula::api_manager
