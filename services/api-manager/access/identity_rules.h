// The pure rules of the Identity service: input checks (google.rpc.BadRequest field paths), the
// UpdateUserGroup field mask, and how a user's groups add up to a Caller (docs/architecture.md "Security").
#pragma once

#include <google/protobuf/field_mask.pb.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api-manager/access/caller.h"
#include "common/error.h"
#include "nebula/v1/identity.pb.h"

namespace nebula::api_manager {

inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxTokenDescriptionLength = 256;
inline constexpr int64_t kMaxTokenTtlSeconds = int64_t(10) * 366 * 24 * 3600;
inline constexpr size_t kMaxPatternLength = 128;
inline constexpr size_t kMaxGrantsPerKind = 1000;
inline constexpr size_t kMaxGroupMembers = 10000;
inline constexpr int32_t kDefaultIdentityPageSize = 100;
inline constexpr int32_t kMaxIdentityPageSize = 1000;

std::vector<FieldViolation> ValidateUserName(std::string_view name, std::string_view field);
std::vector<FieldViolation> ValidatePassword(std::string_view password, std::string_view field);
std::vector<FieldViolation> ValidateCreateUser(const nebula::v1::CreateUserRequest& request);
// The only field UpdateUser changes is the password; the mask may be empty or ["password"].
std::vector<FieldViolation> ValidateUpdateUser(const nebula::v1::UpdateUserRequest& request);
std::vector<FieldViolation> ValidateCreateToken(const nebula::v1::CreateTokenRequest& request);
// Token ids are what GenerateToken makes or what a bootstrap token carries.
std::vector<FieldViolation> ValidateTokenId(std::string_view id, std::string_view field);
// A name or glob of object names: lowercase letters, digits, '-', and the wildcards '*' and '?'.
std::optional<std::string> GrantPatternProblem(std::string_view pattern);
// field_prefix: "user_group".
std::vector<FieldViolation> ValidateUserGroup(const nebula::v1::UserGroup& group, std::string_view field_prefix);

// page_size 0 means the default; negative is a violation; larger than the maximum is capped.
int32_t IdentityPageSize(int32_t requested, std::vector<FieldViolation>& violations);

// UpdateUserGroup: the fields of update named by mask (members, admin, pruning_allowed, apps,
// device_groups, cron_jobs; an empty mask means all of them, like PUT) over current. Unknown
// paths are violations of "update_mask.paths[i]".
nebula::v1::UserGroup MergeUserGroup(const nebula::v1::UserGroup& current, const nebula::v1::UserGroup& update,
                                     const google::protobuf::FieldMask& mask, std::vector<FieldViolation>& violations);

// The union of the groups' grants: admin / pruning_allowed if any group has it, the strongest
// access per pattern per kind, group names sorted.
Caller CallerFromGroups(std::string user, const std::vector<nebula::v1::UserGroup>& groups);
nebula::v1::WhoAmIResponse DescribeCaller(const Caller& caller);

// Admin, or the user themself (GetUser, UpdateUser, tokens of that user).
void RequireSelfOrAdmin(const Caller& caller, std::string_view user, std::string_view what);

}  // namespace nebula::api_manager
