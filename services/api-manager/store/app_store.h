// Where apps live (PostgreSQL in production, see pg_app_store.h). Every write is one transaction
// that bumps the generation, records a revision and queues the matching nebula.desired records in
// the outbox (docs/architecture.md "Write path"), or does nothing at all when it throws.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "nebula/v1/app.pb.h"

namespace nebula::api_manager {

struct AppPage {
  std::vector<nebula::v1::App> apps;  // ordered by name
  bool more = false;                  // apps after the last one exist
};

// Who made a write and with which RPC: recorded in app_revisions and audit_events.
struct WriteInfo {
  std::string actor;
  std::string action;          // the RPC, e.g. "UpdateApp"
  int64_t rolled_back_to = 0;  // RollbackApp: the generation whose spec was restored
};

// One generation as it was written (the store's form of nebula.v1.AppRevision).
struct Revision {
  int64_t generation = 0;
  std::string action;
  std::string actor;
  int64_t time_us = 0;  // microseconds since the epoch
  nebula::v1::AppSpec spec;
  bool deleted = false;
  int64_t rolled_back_to = 0;
};

struct RevisionPage {
  std::vector<Revision> revisions;  // newest first
  bool more = false;
};

// Computes the new spec from the current app inside the write transaction (so a partial update
// merges with what is stored right now). Throws nebula::Error to refuse; nothing is written then.
using SpecChange = std::function<nebula::v1::AppSpec(const nebula::v1::App& current)>;

// Errors are nebula::Error: kAlreadyExists, kNotFound, kAborted (expected_generation mismatch),
// kUnavailable (database unreachable), kInternal. expected_generation 0 means "any".
class AppStore {
 public:
  virtual ~AppStore() = default;

  // Generation 1, or one past the last generation of a deleted app of the same name.
  virtual nebula::v1::App Create(const std::string& name, const nebula::v1::AppSpec& spec, const WriteInfo& info) = 0;
  virtual nebula::v1::App Get(const std::string& name) = 0;
  // True if Get answers from memory right now (no I/O), e.g. a serving read cache.
  virtual bool ReadsFromMemory() const { return false; }
  // Live apps whose name sorts after after_name (empty: from the start), at most limit of them.
  virtual AppPage List(const std::string& after_name, int limit) = 0;
  virtual nebula::v1::App Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                                 const WriteInfo& info) = 0;
  // Returns the generation of the deletion. kFailedPrecondition naming the device groups that list
  // the app, unless force: then each of them drops it (a new generation of the group) in the same
  // transaction.
  virtual int64_t Delete(const std::string& name, int64_t expected_generation, bool force, const WriteInfo& info) = 0;
  // Revisions of the name (live or deleted) with generation < before (0: from the newest).
  virtual RevisionPage ListRevisions(const std::string& name, int64_t before, int limit) = 0;
  virtual std::optional<Revision> GetRevision(const std::string& name, int64_t generation) = 0;
};

}  // namespace nebula::api_manager
