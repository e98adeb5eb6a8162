// Where apps live (PostgreSQL in production, see pg_app_store.h). Every write is one transaction
// that bumps the generation, records a revision and queues the matching nebula.desired records in
// the outbox (BRIEF §4), or does nothing at all when it throws.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nebula/v1/app.pb.h"

namespace nebula::api_manager {

struct AppPage {
  std::vector<nebula::v1::App> apps;  // ordered by name
  bool more = false;                  // apps after the last one exist
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
  virtual nebula::v1::App Create(const std::string& name, const nebula::v1::AppSpec& spec, const std::string& actor) = 0;
  virtual nebula::v1::App Get(const std::string& name) = 0;
  // Live apps whose name sorts after after_name (empty: from the start), at most limit of them.
  virtual AppPage List(const std::string& after_name, int limit) = 0;
  virtual nebula::v1::App Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                                 const std::string& actor) = 0;
  // Returns the generation of the deletion.
  virtual int64_t Delete(const std::string& name, int64_t expected_generation, const std::string& actor) = 0;
};

}  // namespace nebula::api_manager
