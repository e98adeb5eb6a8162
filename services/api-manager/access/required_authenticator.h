// --auth required: every call carries a bearer token or basic auth, checked against the identity
// tables (docs/architecture.md "Security"). A verified credential is cached in memory for cache_ttl (default 5 s),
// keyed by a SHA-256 of the whole authorization value, so a hot client costs neither an argon2 run nor a database query
// per call. The price: a revoked token, a deleted user, a changed password or a changed group still works, with its old
// permissions, for up to cache_ttl on each api-manager replica. Expiry is exact (a cached token is dropped at its
// expire_time). Failures are not cached.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include "api-manager/access/caller.h"
#include "api-manager/access/identity_store.h"

namespace nebula::api_manager {

struct RequiredAuthSettings {
  std::chrono::milliseconds cache_ttl{5000};
  size_t max_cache_entries = 10000;
  std::function<std::chrono::system_clock::time_point()> now = [] { return std::chrono::system_clock::now(); };
};

// store must outlive the authenticator. Thread-safe.
std::unique_ptr<Authenticator> MakeRequiredAuthenticator(CredentialStore& store, RequiredAuthSettings settings = {});

}  // namespace nebula::api_manager
