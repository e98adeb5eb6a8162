// The bootstrap admin from --bootstrap-admin-token / --bootstrap-admin-password (docs/architecture.md "Security"): at
// every start, idempotently, user "admin", user group "admins" (admin = true) with it as a member, the given token and
// password. Changing a flag and restarting rotates that credential.
#pragma once

#include <string>

#include "api-manager/access/identity_store.h"

namespace nebula::api_manager {

inline constexpr size_t kMinBootstrapSecretLength = 32;

// Checks the flag values; throws nebula::Error(kInvalidArgument) naming the flag (never its value).
// Empty values are fine (not configured).
void CheckBootstrapFlags(const std::string& token, const std::string& password);

// No-op when both are empty. Runs argon2 only when the stored password does not already match.
void EnsureBootstrapAdmin(IdentityStore& store, const std::string& token, const std::string& password);

}  // namespace nebula::api_manager
