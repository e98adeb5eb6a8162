#include "api-manager/access/identity_rules.h"

#include <algorithm>
#include <set>

#include "api-manager/access/credentials.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using nebula::v1::UserGroup;

std::string Str(std::string_view s) { return std::string(s); }

Access FromProto(nebula::v1::Access access) {
  switch (access) {
    case nebula::v1::ACCESS_RO: return Access::kRead;
    case nebula::v1::ACCESS_RW: return Access::kWrite;
    default: return Access::kNone;
  }
}

nebula::v1::Access ToProto(Access access) {
  switch (access) {
    case Access::kRead: return nebula::v1::ACCESS_RO;
    case Access::kWrite: return nebula::v1::ACCESS_RW;
    default: return nebula::v1::ACCESS_UNSPECIFIED;
  }
}

void ValidateGrants(const google::protobuf::Map<std::string, nebula::v1::Access>& grants, const std::string& field,
                    std::vector<FieldViolation>& out) {
  if (grants.size() > kMaxGrantsPerKind) {
    out.push_back({field, "has " + std::to_string(grants.size()) + " entries; at most " +
                              std::to_string(kMaxGrantsPerKind) + " are allowed (use a glob such as \"web-*\")"});
    return;
  }
  // Sorted, so the violations come out in a stable order.
  std::map<std::string, nebula::v1::Access> sorted(grants.begin(), grants.end());
  for (const auto& [pattern, access] : sorted) {
    const std::string path = field + "[" + QuoteForMessage(pattern) + "]";
    if (auto problem = GrantPatternProblem(pattern)) out.push_back({path, *problem});
    if (access != nebula::v1::ACCESS_RO && access != nebula::v1::ACCESS_RW)
      out.push_back({path, "access must be ACCESS_RO or ACCESS_RW (\"rw\" implies \"ro\")"});
  }
}

}  // namespace

std::vector<FieldViolation> ValidateUserName(std::string_view name, std::string_view field) {
  if (auto problem = DnsLabelProblem(name)) return {{Str(field), "user name " + *problem}};
  return {};
}

std::vector<FieldViolation> ValidatePassword(std::string_view password, std::string_view field) {
  if (password.size() < kMinPasswordLength)
    return {{Str(field), "the password must have at least " + std::to_string(kMinPasswordLength) + " characters; got " +
                             std::to_string(password.size())}};
  if (password.size() > kMaxPasswordLength)
    return {{Str(field), "the password must have at most " + std::to_string(kMaxPasswordLength) + " bytes; got " +
                             std::to_string(password.size())}};
  return {};
}

std::vector<FieldViolation> ValidateCreateUser(const nebula::v1::CreateUserRequest& request) {
  if (!request.has_user()) return {{"user", "is required: the user to create (name and password)"}};
  auto out = ValidateUserName(request.user().name(), "user.name");
  auto password = ValidatePassword(request.user().password(), "user.password");
  out.insert(out.end(), password.begin(), password.end());
  if (request.user().has_create_time() || request.user().has_update_time())
    out.push_back({"user", "create_time and update_time are set by the server; leave them empty"});
  return out;
}

std::vector<FieldViolation> ValidateUpdateUser(const nebula::v1::UpdateUserRequest& request) {
  if (!request.has_user()) return {{"user", "is required: the user name and the new password"}};
  auto out = ValidateUserName(request.user().name(), "user.name");
  for (int i = 0; i < request.update_mask().paths_size(); ++i) {
    if (request.update_mask().paths(i) != "password")
      out.push_back({"update_mask.paths[" + std::to_string(i) + "]",
                     "only \"password\" can be updated; got " + QuoteForMessage(request.update_mask().paths(i))});
  }
  auto password = ValidatePassword(request.user().password(), "user.password");
  out.insert(out.end(), password.begin(), password.end());
  return out;
}

std::vector<FieldViolation> ValidateCreateToken(const nebula::v1::CreateTokenRequest& request) {
  std::vector<FieldViolation> out;
  if (!request.user().empty()) {
    auto user = ValidateUserName(request.user(), "user");
    out.insert(out.end(), user.begin(), user.end());
  }
  if (request.description().size() > kMaxTokenDescriptionLength)
    out.push_back({"description", "must have at most " + std::to_string(kMaxTokenDescriptionLength) + " bytes; got " +
                                      std::to_string(request.description().size())});
  if (request.ttl_seconds() < 0 || request.ttl_seconds() > kMaxTokenTtlSeconds)
    out.push_back({"ttl_seconds", "must be 0 (never expires) or 1.." + std::to_string(kMaxTokenTtlSeconds) +
                                      " seconds (10 years); got " + std::to_string(request.ttl_seconds())});
  return out;
}

std::vector<FieldViolation> ValidateTokenId(std::string_view id, std::string_view field) {
  if (id.empty()) return {{Str(field), "is required: the token id (the part before the '.')"}};
  if (!ParseTokenText(Str(id) + ".x") || id.find('.') != std::string_view::npos)
    return {{Str(field), "a token id has 1-" + std::to_string(kMaxTokenIdLength) +
                             " letters, digits, '-' or '_' (the part of the token before the '.', never the secret)"}};
  return {};
}

std::optional<std::string> GrantPatternProblem(std::string_view pattern) {
  constexpr std::string_view kRule =
      "must be an object name or a glob: 1-128 lowercase letters, digits, '-', and the wildcards '*' and '?'";
  if (pattern.empty() || pattern.size() > kMaxPatternLength) return Str(kRule);
  bool ok = std::all_of(pattern.begin(), pattern.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '*' || c == '?';
  });
  if (!ok) return Str(kRule) + "; got " + QuoteForMessage(pattern);
  return std::nullopt;
}

std::vector<FieldViolation> ValidateUserGroup(const UserGroup& group, std::string_view field_prefix) {
  const std::string prefix(field_prefix);
  std::vector<FieldViolation> out;
  if (auto problem = DnsLabelProblem(group.name())) out.push_back({prefix + ".name", "user group name " + *problem});
  if (group.members_size() > int(kMaxGroupMembers)) {
    out.push_back({prefix + ".members", "has " + std::to_string(group.members_size()) + " members; at most " +
                                            std::to_string(kMaxGroupMembers) + " are allowed"});
  } else {
    std::set<std::string> seen;
    for (int i = 0; i < group.members_size(); ++i) {
      const std::string path = prefix + ".members[" + std::to_string(i) + "]";
      auto name = ValidateUserName(group.members(i), path);
      out.insert(out.end(), name.begin(), name.end());
      if (name.empty() && !seen.insert(group.members(i)).second)
        out.push_back({path, "user " + QuoteForMessage(group.members(i)) + " is listed twice"});
    }
  }
  ValidateGrants(group.apps(), prefix + ".apps", out);
  ValidateGrants(group.device_groups(), prefix + ".device_groups", out);
  ValidateGrants(group.cron_jobs(), prefix + ".cron_jobs", out);
  return out;
}

int32_t IdentityPageSize(int32_t requested, std::vector<FieldViolation>& violations) {
  if (requested < 0) {
    violations.push_back(
        {"page_size", "must not be negative (0 means the default, " + std::to_string(kDefaultIdentityPageSize) + ")"});
    return kDefaultIdentityPageSize;
  }
  if (requested == 0) return kDefaultIdentityPageSize;
  return std::min(requested, kMaxIdentityPageSize);
}

UserGroup MergeUserGroup(const UserGroup& current, const UserGroup& update, const google::protobuf::FieldMask& mask,
                         std::vector<FieldViolation>& violations) {
  static const std::vector<std::string> kSettable = {"members", "admin",         "pruning_allowed",
                                                     "apps",    "device_groups", "cron_jobs"};
  std::vector<std::string> paths(mask.paths().begin(), mask.paths().end());
  if (paths.empty()) paths = kSettable;
  UserGroup merged = current;
  for (size_t i = 0; i < paths.size(); ++i) {
    const std::string& path = paths[i];
    if (path == "members") {
      *merged.mutable_members() = update.members();
    } else if (path == "admin") {
      merged.set_admin(update.admin());
    } else if (path == "pruning_allowed") {
      merged.set_pruning_allowed(update.pruning_allowed());
    } else if (path == "apps") {
      *merged.mutable_apps() = update.apps();
    } else if (path == "device_groups") {
      *merged.mutable_device_groups() = update.device_groups();
    } else if (path == "cron_jobs") {
      *merged.mutable_cron_jobs() = update.cron_jobs();
    } else {
      violations.push_back({"update_mask.paths[" + std::to_string(i) + "]",
                            "unknown or read-only field " + QuoteForMessage(path) +
                                "; settable: members, admin, pruning_allowed, apps, device_groups, cron_jobs"});
    }
  }
  return merged;
}

Caller CallerFromGroups(std::string user, const std::vector<UserGroup>& groups) {
  Caller caller;
  caller.user = std::move(user);
  auto add = [&](ObjectKind kind, const google::protobuf::Map<std::string, nebula::v1::Access>& grants) {
    auto& of_kind = caller.grants[kind];
    for (const auto& [pattern, access] : grants) {
      Access& best = of_kind[pattern];
      best = std::max(best, FromProto(access));
    }
  };
  for (const auto& group : groups) {
    caller.admin = caller.admin || group.admin();
    caller.pruning_allowed = caller.pruning_allowed || group.pruning_allowed();
    caller.user_groups.push_back(group.name());
    add(ObjectKind::kApp, group.apps());
    add(ObjectKind::kDeviceGroup, group.device_groups());
    add(ObjectKind::kCronJob, group.cron_jobs());
  }
  // An ACCESS_UNSPECIFIED entry grants nothing; drop it so WhoAmI does not show it.
  for (auto& [kind, grants] : caller.grants)
    std::erase_if(grants, [](const auto& g) { return g.second == Access::kNone; });
  std::erase_if(caller.grants, [](const auto& g) { return g.second.empty(); });
  std::sort(caller.user_groups.begin(), caller.user_groups.end());
  caller.user_groups.erase(std::unique(caller.user_groups.begin(), caller.user_groups.end()), caller.user_groups.end());
  return caller;
}

nebula::v1::WhoAmIResponse DescribeCaller(const Caller& caller) {
  nebula::v1::WhoAmIResponse out;
  out.set_user(caller.user);
  out.set_admin(caller.admin);
  out.set_pruning_allowed(caller.pruning_allowed);
  for (const auto& group : caller.user_groups) out.add_user_groups(group);
  for (const auto& [kind, grants] : caller.grants) {
    auto* map = kind == ObjectKind::kApp           ? out.mutable_apps()
                : kind == ObjectKind::kDeviceGroup ? out.mutable_device_groups()
                                                   : out.mutable_cron_jobs();
    for (const auto& [pattern, access] : grants) (*map)[pattern] = ToProto(access);
  }
  return out;
}

void RequireSelfOrAdmin(const Caller& caller, std::string_view user, std::string_view what) {
  if (caller.admin || caller.user == user) return;
  throw Error(ErrorCode::kPermissionDenied, Str(what) + " of user " + QuoteForMessage(user) +
                                                " needs an admin or that user; the caller is " +
                                                QuoteForMessage(caller.user));
}

}  // namespace nebula::api_manager
