#include "api-manager/pg/pg_identity_store.h"

#include <google/protobuf/util/time_util.h>

#include <pqxx/pqxx>
#include <set>

#include "common/error.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::TimeUtil;
using nebula::v1::Token;
using nebula::v1::User;
using nebula::v1::UserGroup;

#define MICROS(column) "(extract(epoch FROM " column ") * 1000000)::bigint"

constexpr const char* kUserColumns = "name, " MICROS("create_time") ", " MICROS("update_time");
constexpr const char* kTokenColumns = "id, user_name, description, " MICROS("create_time") ", " MICROS(
    "expire_time") ", " MICROS("last_used_time") ", secret_hash";
constexpr const char* kGroupColumns =
    "g.name, g.admin, g.pruning_allowed, g.grants, g.generation, " MICROS("g.create_time") ", " MICROS(
        "g.update_time") ", "
    "ARRAY(SELECT m.user_name FROM identity_group_members m WHERE m.group_name = g.name ORDER BY m.position)";

google::protobuf::Timestamp Time(const pqxx::field& field) {
  return TimeUtil::MicrosecondsToTimestamp(field.as<int64_t>());
}

User UserFromRow(const pqxx::row& row) {
  User user;
  user.set_name(row[0].as<std::string>());
  *user.mutable_create_time() = Time(row[1]);
  *user.mutable_update_time() = Time(row[2]);
  return user;
}

StoredToken TokenFromRow(const pqxx::row& row) {
  StoredToken stored;
  Token& token = stored.token;
  token.set_id(row[0].as<std::string>());
  token.set_user(row[1].as<std::string>());
  token.set_description(row[2].as<std::string>());
  *token.mutable_create_time() = Time(row[3]);
  if (!row[4].is_null()) *token.mutable_expire_time() = Time(row[4]);
  if (!row[5].is_null()) *token.mutable_last_used_time() = Time(row[5]);
  stored.secret_hash = row[6].as<std::string>();
  return stored;
}

// Members come from an ARRAY(...) of DNS labels: "{a,b}" (no quoting needed for such names).
std::vector<std::string> ParseNameArray(const std::string& text) {
  std::vector<std::string> out;
  if (text.size() < 2) return out;
  std::string body = text.substr(1, text.size() - 2);
  size_t start = 0;
  while (start < body.size()) {
    size_t comma = body.find(',', start);
    if (comma == std::string::npos) comma = body.size();
    std::string item = body.substr(start, comma - start);
    if (item.size() >= 2 && item.front() == '"') item = item.substr(1, item.size() - 2);
    out.push_back(item);
    start = comma + 1;
  }
  return out;
}

UserGroup GroupFromRow(const pqxx::row& row) {
  UserGroup group;
  const std::string name = row[0].as<std::string>();
  pqxx::binarystring bytes(row[3]);
  if (!group.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    throw Error(ErrorCode::kInternal, "the stored grants of user group " + QuoteForMessage(name) + " are unreadable");
  group.set_name(name);
  group.set_admin(row[1].as<bool>());
  group.set_pruning_allowed(row[2].as<bool>());
  group.set_generation(row[4].as<int64_t>());
  *group.mutable_create_time() = Time(row[5]);
  *group.mutable_update_time() = Time(row[6]);
  for (auto& member : ParseNameArray(row[7].as<std::string>())) group.add_members(member);
  return group;
}

std::string GrantBytes(const UserGroup& group) {
  UserGroup grants;
  *grants.mutable_apps() = group.apps();
  *grants.mutable_device_groups() = group.device_groups();
  *grants.mutable_cron_jobs() = group.cron_jobs();
  std::string bytes;
  grants.SerializeToString(&bytes);
  return bytes;
}

std::string ArrayLiteral(const google::protobuf::RepeatedPtrField<std::string>& names) {
  std::string out = "{";
  for (int i = 0; i < names.size(); ++i) out += (i ? "," : "") + std::string("\"") + names[i] + "\"";
  return out + "}";
}

// The audit trail ListAuditEvents reads (audit_events, migration 0003): who, which RPC, which object.
// Never a secret: only names and generations go in.
void Audit(pqxx::work& tx, const std::string& actor, const std::string& action, const std::string& kind,
           const std::string& name, int64_t generation = 0) {
  tx.exec_params(
      "INSERT INTO audit_events (actor, action, object_kind, object_name, generation) VALUES ($1,$2,$3,$4,$5)", actor,
      action, kind, name, generation);
}

Error UserNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "user " + QuoteForMessage(name) + " not found; ListUsers shows the users");
}

Error GroupNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound,
               "user group " + QuoteForMessage(name) + " not found; ListUserGroups shows the user groups");
}

// Members must be users; violations name the field of each missing one.
void CheckMembersExist(pqxx::work& tx, const UserGroup& group) {
  if (group.members().empty()) return;
  std::set<std::string> existing;
  for (const auto& row :
       tx.exec_params("SELECT name FROM identity_users WHERE name = ANY($1::text[])", ArrayLiteral(group.members())))
    existing.insert(row[0].as<std::string>());
  std::vector<FieldViolation> violations;
  for (int i = 0; i < group.members_size(); ++i)
    if (!existing.count(group.members(i)))
      violations.push_back({"user_group.members[" + std::to_string(i) + "]",
                            "user " + QuoteForMessage(group.members(i)) + " does not exist; create it first"});
  if (!violations.empty()) throw InvalidArgument(std::move(violations));
}

void WriteMembers(pqxx::work& tx, const UserGroup& group) {
  tx.exec_params("DELETE FROM identity_group_members WHERE group_name = $1", group.name());
  if (group.members().empty()) return;
  tx.exec_params(
      "INSERT INTO identity_group_members (group_name, user_name, position) "
      "SELECT $1, m.name, m.pos FROM unnest($2::text[]) WITH ORDINALITY AS m(name, pos)",
      group.name(), ArrayLiteral(group.members()));
}

UserGroup ReadGroup(pqxx::transaction_base& tx, const std::string& name) {
  auto rows =
      tx.exec_params(std::string("SELECT ") + kGroupColumns + " FROM identity_groups g WHERE g.name = $1", name);
  if (rows.empty()) throw GroupNotFound(name);
  return GroupFromRow(rows[0]);
}

}  // namespace

std::optional<StoredToken> PgIdentityStore::FindToken(const std::string& id) {
  std::optional<StoredToken> out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    auto rows = tx.exec_params(std::string("SELECT ") + kTokenColumns + " FROM identity_tokens WHERE id = $1", id);
    if (!rows.empty()) out = TokenFromRow(rows[0]);
  });
  return out;
}

std::optional<std::string> PgIdentityStore::PasswordHash(const std::string& user) {
  std::optional<std::string> out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    auto rows = tx.exec_params("SELECT password_hash FROM identity_users WHERE name = $1", user);
    if (!rows.empty() && !rows[0][0].is_null()) out = rows[0][0].as<std::string>();
  });
  return out;
}

std::vector<UserGroup> PgIdentityStore::GroupsOf(const std::string& user) {
  std::vector<UserGroup> out;
  pool_.Run([&](pqxx::connection& conn) {
    out.clear();
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec_params(std::string("SELECT ") + kGroupColumns +
                                              " FROM identity_groups g JOIN identity_group_members gm ON "
                                              "gm.group_name = g.name WHERE gm.user_name = $1 ORDER BY g.name",
                                          user))
      out.push_back(GroupFromRow(row));
  });
  return out;
}

void PgIdentityStore::TouchToken(const std::string& id) {
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    tx.exec_params("UPDATE identity_tokens SET last_used_time = now() WHERE id = $1", id);
  });
}

User PgIdentityStore::CreateUser(const std::string& name, const std::string& password_hash, const std::string& actor) {
  User out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto rows = tx.exec_params(std::string("INSERT INTO identity_users (name, password_hash) VALUES ($1, $2) "
                                           "ON CONFLICT (name) DO NOTHING RETURNING ") +
                                   kUserColumns,
                               name, password_hash);
    if (rows.empty())
      throw Error(ErrorCode::kAlreadyExists,
                  "user " + QuoteForMessage(name) + " already exists; UpdateUser changes its password");
    out = UserFromRow(rows[0]);
    Audit(tx, actor, "CreateUser", "user", name);
    tx.commit();
  });
  return out;
}

std::optional<User> PgIdentityStore::GetUser(const std::string& name) {
  std::optional<User> out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    auto rows = tx.exec_params(std::string("SELECT ") + kUserColumns + " FROM identity_users WHERE name = $1", name);
    if (!rows.empty()) out = UserFromRow(rows[0]);
  });
  return out;
}

std::vector<User> PgIdentityStore::ListUsers(const std::string& after, int limit) {
  std::vector<User> out;
  pool_.Run([&](pqxx::connection& conn) {
    out.clear();
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec_params(
             std::string("SELECT ") + kUserColumns + " FROM identity_users WHERE name > $1 ORDER BY name LIMIT $2",
             after, limit))
      out.push_back(UserFromRow(row));
  });
  return out;
}

User PgIdentityStore::SetPassword(const std::string& name, const std::string& password_hash, const std::string& actor) {
  User out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto rows = tx.exec_params(std::string("UPDATE identity_users SET password_hash = $2, update_time = now() "
                                           "WHERE name = $1 RETURNING ") +
                                   kUserColumns,
                               name, password_hash);
    if (rows.empty()) throw UserNotFound(name);
    out = UserFromRow(rows[0]);
    Audit(tx, actor, "UpdateUser", "user", name);
    tx.commit();
  });
  return out;
}

void PgIdentityStore::DeleteUser(const std::string& name, const std::string& actor) {
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    // The groups lose a member: that is a change of each group, so its generation moves.
    tx.exec_params(
        "UPDATE identity_groups SET generation = generation + 1, update_time = now() WHERE name IN "
        "(SELECT group_name FROM identity_group_members WHERE user_name = $1)",
        name);
    auto rows = tx.exec_params("DELETE FROM identity_users WHERE name = $1 RETURNING name", name);
    if (rows.empty()) throw UserNotFound(name);
    Audit(tx, actor, "DeleteUser", "user", name);
    tx.commit();
  });
}

Token PgIdentityStore::CreateToken(const Token& token, const std::string& secret_hash, const std::string& actor) {
  Token out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto user = tx.exec_params("SELECT 1 FROM identity_users WHERE name = $1 FOR SHARE", token.user());
    if (user.empty())
      throw Error(ErrorCode::kNotFound, "user " + QuoteForMessage(token.user()) +
                                            " not found; a token belongs to an existing user (CreateUser first)");
    const bool expires = token.has_expire_time();
    const std::string expire_us = expires ? std::to_string(TimeUtil::TimestampToMicroseconds(token.expire_time())) : "";
    auto rows = tx.exec_params(
        std::string("INSERT INTO identity_tokens (id, user_name, secret_hash, description, expire_time) "
                    "VALUES ($1, $2, $3, $4, CASE WHEN $5 = '' THEN NULL ELSE to_timestamp($5::bigint / 1e6) END) "
                    "RETURNING ") +
            kTokenColumns,
        token.id(), token.user(), secret_hash, token.description(), expire_us);
    out = TokenFromRow(rows[0]).token;
    Audit(tx, actor, "CreateToken", "token", token.id());
    tx.commit();
  });
  return out;
}

std::vector<Token> PgIdentityStore::ListTokens(const std::string& user, const std::string& after, int limit) {
  std::vector<Token> out;
  pool_.Run([&](pqxx::connection& conn) {
    out.clear();
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec_params(std::string("SELECT ") + kTokenColumns +
                                              " FROM identity_tokens WHERE ($1 = '' OR user_name = $1) AND id > $2 "
                                              "ORDER BY id LIMIT $3",
                                          user, after, limit))
      out.push_back(TokenFromRow(row).token);
  });
  return out;
}

void PgIdentityStore::DeleteToken(const std::string& id, const std::string& actor) {
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto rows = tx.exec_params("DELETE FROM identity_tokens WHERE id = $1 RETURNING user_name", id);
    if (rows.empty()) throw Error(ErrorCode::kNotFound, "token " + QuoteForMessage(id) + " not found");
    Audit(tx, actor, "RevokeToken", "token", id);
    tx.commit();
  });
}

UserGroup PgIdentityStore::CreateGroup(const UserGroup& group, const std::string& actor) {
  UserGroup out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto rows = tx.exec_params(
        "INSERT INTO identity_groups (name, admin, pruning_allowed, grants, generation) VALUES ($1, $2, $3, $4, 1) "
        "ON CONFLICT (name) DO NOTHING RETURNING name",
        group.name(), group.admin(), group.pruning_allowed(), pqxx::binarystring(GrantBytes(group)));
    if (rows.empty())
      throw Error(ErrorCode::kAlreadyExists,
                  "user group " + QuoteForMessage(group.name()) + " already exists; UpdateUserGroup changes it");
    CheckMembersExist(tx, group);
    WriteMembers(tx, group);
    out = ReadGroup(tx, group.name());
    Audit(tx, actor, "CreateUserGroup", "user_group", group.name(), out.generation());
    tx.commit();
  });
  return out;
}

std::optional<UserGroup> PgIdentityStore::GetGroup(const std::string& name) {
  std::optional<UserGroup> out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::nontransaction tx(conn);
    auto rows =
        tx.exec_params(std::string("SELECT ") + kGroupColumns + " FROM identity_groups g WHERE g.name = $1", name);
    if (!rows.empty()) out = GroupFromRow(rows[0]);
  });
  return out;
}

std::vector<UserGroup> PgIdentityStore::ListGroups(const std::string& after, int limit) {
  std::vector<UserGroup> out;
  pool_.Run([&](pqxx::connection& conn) {
    out.clear();
    pqxx::nontransaction tx(conn);
    for (const auto& row : tx.exec_params(std::string("SELECT ") + kGroupColumns +
                                              " FROM identity_groups g WHERE g.name > $1 ORDER BY g.name LIMIT $2",
                                          after, limit))
      out.push_back(GroupFromRow(row));
  });
  return out;
}

UserGroup PgIdentityStore::UpdateGroup(const UserGroup& group, int64_t base_generation, const std::string& actor) {
  UserGroup out;
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto rows = tx.exec_params(
        "UPDATE identity_groups SET admin = $2, pruning_allowed = $3, grants = $4, generation = generation + 1, "
        "update_time = now() WHERE name = $1 AND generation = $5 RETURNING name",
        group.name(), group.admin(), group.pruning_allowed(), pqxx::binarystring(GrantBytes(group)), base_generation);
    if (rows.empty()) {
      auto exists = tx.exec_params("SELECT generation FROM identity_groups WHERE name = $1", group.name());
      if (exists.empty()) throw GroupNotFound(group.name());
      throw Error(ErrorCode::kAborted, "user group " + QuoteForMessage(group.name()) +
                                           " changed concurrently (now at generation " +
                                           exists[0][0].as<std::string>() + "); read it again and retry");
    }
    CheckMembersExist(tx, group);
    WriteMembers(tx, group);
    out = ReadGroup(tx, group.name());
    Audit(tx, actor, "UpdateUserGroup", "user_group", group.name(), out.generation());
    tx.commit();
  });
  return out;
}

void PgIdentityStore::DeleteGroup(const std::string& name, const std::string& actor) {
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    auto rows = tx.exec_params("DELETE FROM identity_groups WHERE name = $1 RETURNING name", name);
    if (rows.empty()) throw GroupNotFound(name);
    Audit(tx, actor, "DeleteUserGroup", "user_group", name);
    tx.commit();
  });
}

void PgIdentityStore::EnsureBootstrapAdmin(const BootstrapAdmin& admin) {
  const std::string actor = "bootstrap";
  pool_.Run([&](pqxx::connection& conn) {
    pqxx::work tx(conn);
    if (!tx.exec_params("INSERT INTO identity_users (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING name",
                        admin.user)
             .empty())
      Audit(tx, actor, "CreateUser", "user", admin.user);
    if (admin.new_password_hash) {
      tx.exec_params("UPDATE identity_users SET password_hash = $2, update_time = now() WHERE name = $1", admin.user,
                     *admin.new_password_hash);
      Audit(tx, actor, "UpdateUser", "user", admin.user);
    }
    auto group = tx.exec_params("SELECT admin FROM identity_groups WHERE name = $1 FOR UPDATE", admin.group);
    if (group.empty()) {
      UserGroup empty;
      tx.exec_params(
          "INSERT INTO identity_groups (name, admin, pruning_allowed, grants, generation) VALUES ($1, true, true, $2, "
          "1)",
          admin.group, pqxx::binarystring(GrantBytes(empty)));
      Audit(tx, actor, "CreateUserGroup", "user_group", admin.group, 1);
    } else if (!group[0][0].as<bool>()) {
      tx.exec_params(
          "UPDATE identity_groups SET admin = true, generation = generation + 1, update_time = now() "
          "WHERE name = $1",
          admin.group);
      Audit(tx, actor, "UpdateUserGroup", "user_group", admin.group);
    }
    if (!tx.exec_params(
               "INSERT INTO identity_group_members (group_name, user_name, position) "
               "SELECT $1, $2, coalesce(max(position), 0) + 1 FROM identity_group_members WHERE group_name = $1 "
               "ON CONFLICT DO NOTHING RETURNING user_name",
               admin.group, admin.user)
             .empty()) {
      tx.exec_params("UPDATE identity_groups SET generation = generation + 1, update_time = now() WHERE name = $1",
                     admin.group);
      Audit(tx, actor, "UpdateUserGroup", "user_group", admin.group);
    }
    if (admin.token_id) {
      auto token = tx.exec_params("SELECT user_name, secret_hash FROM identity_tokens WHERE id = $1 FOR UPDATE",
                                  *admin.token_id);
      if (token.empty()) {
        tx.exec_params(
            "INSERT INTO identity_tokens (id, user_name, secret_hash, description) VALUES ($1, $2, $3, "
            "'bootstrap admin token')",
            *admin.token_id, admin.user, admin.token_secret_hash);
        Audit(tx, actor, "CreateToken", "token", *admin.token_id);
      } else if (token[0][0].as<std::string>() != admin.user ||
                 token[0][1].as<std::string>() != admin.token_secret_hash) {
        tx.exec_params("UPDATE identity_tokens SET user_name = $2, secret_hash = $3, expire_time = NULL WHERE id = $1",
                       *admin.token_id, admin.user, admin.token_secret_hash);
        Audit(tx, actor, "RotateToken", "token", *admin.token_id);
      }
    }
    tx.commit();
  });
}

}  // namespace nebula::api_manager
