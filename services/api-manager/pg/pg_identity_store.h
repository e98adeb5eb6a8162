// IdentityStore over PostgreSQL (tables from migrations/0004_identity.sql). Each write is one
// transaction that also inserts its audit_events row (0003; identity_audit moved there in 0005).
#pragma once

#include "api-manager/access/identity_store.h"
#include "api-manager/pg/pg_pool.h"

namespace nebula::api_manager {

class PgIdentityStore final : public IdentityStore {
 public:
  explicit PgIdentityStore(PgPool& pool) : pool_(pool) {}

  std::optional<StoredToken> FindToken(const std::string& id) override;
  std::optional<std::string> PasswordHash(const std::string& user) override;
  std::vector<nebula::v1::UserGroup> GroupsOf(const std::string& user) override;
  void TouchToken(const std::string& id) override;

  nebula::v1::User CreateUser(const std::string& name, const std::string& password_hash,
                              const std::string& actor) override;
  std::optional<nebula::v1::User> GetUser(const std::string& name) override;
  std::vector<nebula::v1::User> ListUsers(const std::string& after, int limit) override;
  nebula::v1::User SetPassword(const std::string& name, const std::string& password_hash,
                               const std::string& actor) override;
  void DeleteUser(const std::string& name, const std::string& actor) override;

  nebula::v1::Token CreateToken(const nebula::v1::Token& token, const std::string& secret_hash,
                                const std::string& actor) override;
  std::vector<nebula::v1::Token> ListTokens(const std::string& user, const std::string& after, int limit) override;
  void DeleteToken(const std::string& id, const std::string& actor) override;

  nebula::v1::UserGroup CreateGroup(const nebula::v1::UserGroup& group, const std::string& actor) override;
  std::optional<nebula::v1::UserGroup> GetGroup(const std::string& name) override;
  std::vector<nebula::v1::UserGroup> ListGroups(const std::string& after, int limit) override;
  nebula::v1::UserGroup UpdateGroup(const nebula::v1::UserGroup& group, int64_t base_generation,
                                    const std::string& actor) override;
  void DeleteGroup(const std::string& name, const std::string& actor) override;

  void EnsureBootstrapAdmin(const BootstrapAdmin& admin) override;

 private:
  PgPool& pool_;
};

}  // namespace nebula::api_manager
