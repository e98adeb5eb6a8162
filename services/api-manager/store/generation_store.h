// The database side of the generation fence (api-manager/rules/generation_fence.h): what generation
// every nebula.desired key has in the database, and the one write that moves a key past the topic.
// PostgreSQL in production (api-manager/pg/pg_generation_store.h).
#pragma once

#include <cstdint>
#include <string>

#include "api-manager/rules/generation_fence.h"
#include "api-manager/store/app_store.h"

namespace nebula::api_manager {

// Errors are nebula::Error (kUnavailable: database unreachable, kInternal).
class GenerationStore {
 public:
  virtual ~GenerationStore() = default;

  // Every key an object has ("app/<name>", "group/<name>", "cron/<name>", "global"), live or deleted,
  // with its generation.
  virtual GenerationsByKey StoredGenerations() = 0;

  // One transaction: the key's object takes generation jump.to (unless it already moved past
  // jump.stored meanwhile: then nothing), with a revision (apps), an audit event and the outbox
  // records of what the database holds — the object, or its deletion when it is deleted. A key no
  // object has gets a deleted object at jump.to, so a later create continues past it, and nothing is
  // published: an api-manager pointed at an empty or wrong database must not remove every app from
  // the fleet (docs/architecture.md "Restoring the database"). Returns whether it wrote.
  virtual bool Jump(const GenerationJump& jump, const WriteInfo& info) = 0;
};

}  // namespace nebula::api_manager
