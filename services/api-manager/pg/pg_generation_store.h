// GenerationStore on PostgreSQL: the apps and objects tables, with the revision, audit event and
// outbox rows of every jump (pg_change_log.h). Runs once per relay takeover, so its statements are not
// prepared.
#pragma once

#include "api-manager/pg/pg_pool.h"
#include "api-manager/store/generation_store.h"

namespace nebula::api_manager {

class PgGenerationStore final : public GenerationStore {
 public:
  // The pool's connections must have PgAppStore::PrepareStatements run on them (the change log's
  // statements).
  explicit PgGenerationStore(PgPool& pool) : pool_(pool) {}

  GenerationsByKey StoredGenerations() override;
  bool Jump(const GenerationJump& jump, const WriteInfo& info) override;

 private:
  PgPool& pool_;
};

}  // namespace nebula::api_manager
