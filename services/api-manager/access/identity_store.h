// What the identity service and the authenticator need from storage (users, tokens, user groups).
// The PostgreSQL adapter is pg_identity_store.h; every write is one transaction that also records an
// audit_events row (who, which RPC, which object; never a secret). Errors are nebula::Error
// (kNotFound, kAlreadyExists, kAborted, kInvalidArgument for members that are not users,
// kUnavailable when the database is unreachable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nebula/v1/identity.pb.h"

namespace nebula::api_manager {

struct StoredToken {
  nebula::v1::Token token;  // id, user, description, create/expire/last_used times
  std::string secret_hash;  // HashTokenSecret(secret)
};

// The read side the authenticator needs on a cache miss.
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual std::optional<StoredToken> FindToken(const std::string& id) = 0;
  // nullopt: no such user, or a user without a password (created by bootstrap with a token only).
  virtual std::optional<std::string> PasswordHash(const std::string& user) = 0;
  // Every group the user is a member of.
  virtual std::vector<nebula::v1::UserGroup> GroupsOf(const std::string& user) = 0;
  // Sets last_used_time to now. Best effort: called at most once per cache period per token.
  virtual void TouchToken(const std::string& id) = 0;
};

// The bootstrap admin (--bootstrap-admin-token / --bootstrap-admin-password), ensured at every start.
struct BootstrapAdmin {
  std::string user = "admin";
  std::string group = "admins";
  std::optional<std::string> new_password_hash;  // set only when the configured password differs
  std::optional<std::string> token_id;
  std::string token_secret_hash;
};

class IdentityStore : public CredentialStore {
 public:
  virtual nebula::v1::User CreateUser(const std::string& name, const std::string& password_hash,
                                      const std::string& actor) = 0;
  virtual std::optional<nebula::v1::User> GetUser(const std::string& name) = 0;
  // Names after `after` in byte order, at most limit of them.
  virtual std::vector<nebula::v1::User> ListUsers(const std::string& after, int limit) = 0;
  virtual nebula::v1::User SetPassword(const std::string& name, const std::string& password_hash,
                                       const std::string& actor) = 0;
  // Also deletes the user's tokens and group memberships.
  virtual void DeleteUser(const std::string& name, const std::string& actor) = 0;

  // token: id, user, description and (optionally) expire_time set; returns it with create_time.
  virtual nebula::v1::Token CreateToken(const nebula::v1::Token& token, const std::string& secret_hash,
                                        const std::string& actor) = 0;
  // user empty: every user's tokens. Ids after `after`, at most limit.
  virtual std::vector<nebula::v1::Token> ListTokens(const std::string& user, const std::string& after, int limit) = 0;
  virtual void DeleteToken(const std::string& id, const std::string& actor) = 0;

  virtual nebula::v1::UserGroup CreateGroup(const nebula::v1::UserGroup& group, const std::string& actor) = 0;
  virtual std::optional<nebula::v1::UserGroup> GetGroup(const std::string& name) = 0;
  virtual std::vector<nebula::v1::UserGroup> ListGroups(const std::string& after, int limit) = 0;
  // Replaces the group if it is still at base_generation (else kAborted); generation + 1.
  virtual nebula::v1::UserGroup UpdateGroup(const nebula::v1::UserGroup& group, int64_t base_generation,
                                            const std::string& actor) = 0;
  virtual void DeleteGroup(const std::string& name, const std::string& actor) = 0;

  // Idempotent: creates what is missing, changes only what differs, audits only changes.
  virtual void EnsureBootstrapAdmin(const BootstrapAdmin& admin) = 0;
};

}  // namespace nebula::api_manager
