#include "api-manager/grpc/identity_service.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>

#include "api-manager/access/authenticate_call.h"
#include "api-manager/access/identity_rules.h"
#include "api-manager/access/secrets.h"
#include "common/error.h"
#include "common/grpc_status.h"
#include "api-manager/rules/page_token.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::TimeUtil;
using namespace nebula::v1;

void ThrowIfInvalid(std::vector<FieldViolation> violations) {
  if (!violations.empty()) throw InvalidArgument(std::move(violations));
}

Error UserNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound, "user " + QuoteForMessage(name) + " not found; ListUsers shows the users");
}

Error GroupNotFound(const std::string& name) {
  return Error(ErrorCode::kNotFound,
               "user group " + QuoteForMessage(name) + " not found; ListUserGroups shows the user groups");
}

bool IsMember(const Caller& caller, const std::string& group) {
  return std::find(caller.user_groups.begin(), caller.user_groups.end(), group) != caller.user_groups.end();
}

}  // namespace

Caller IdentityService::Authenticate(const grpc::ServerContext& context) {
  return AuthenticateCall(authenticator_, context);
}

grpc::Status IdentityService::WhoAmI(grpc::ServerContext* context, const WhoAmIRequest*, WhoAmIResponse* response) {
  return GuardedCall([&] { *response = DescribeCaller(Authenticate(*context)); });
}

grpc::Status IdentityService::CreateUser(grpc::ServerContext* context, const CreateUserRequest* request,
                                         User* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequireAdmin(caller, "CreateUser");
    ThrowIfInvalid(ValidateCreateUser(*request));
    *response = store_.CreateUser(request->user().name(), HashPassword(request->user().password()), caller.user);
  });
}

grpc::Status IdentityService::GetUser(grpc::ServerContext* context, const GetUserRequest* request, User* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    ThrowIfInvalid(ValidateUserName(request->name(), "name"));
    RequireSelfOrAdmin(caller, request->name(), "GetUser");
    auto user = store_.GetUser(request->name());
    if (!user) throw UserNotFound(request->name());
    *response = *user;
  });
}

grpc::Status IdentityService::ListUsers(grpc::ServerContext* context, const ListUsersRequest* request,
                                        ListUsersResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    std::vector<FieldViolation> violations;
    int32_t limit = IdentityPageSize(request->page_size(), violations);
    ThrowIfInvalid(std::move(violations));
    std::string after = DecodePageToken(request->page_token(), "ListUsers");
    if (!caller.admin) {
      // Filtered to what the caller may read: themself.
      if (after.empty())
        if (auto self = store_.GetUser(caller.user)) *response->add_users() = *self;
      return;
    }
    auto users = store_.ListUsers(after, limit + 1);
    bool more = users.size() > size_t(limit);
    if (more) users.resize(size_t(limit));
    if (more) response->set_next_page_token(EncodePageToken(users.back().name()));
    for (auto& user : users) *response->add_users() = std::move(user);
  });
}

grpc::Status IdentityService::UpdateUser(grpc::ServerContext* context, const UpdateUserRequest* request,
                                         User* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    if (request->has_user() && DnsLabelProblem(request->user().name()) == std::nullopt)
      RequireSelfOrAdmin(caller, request->user().name(), "UpdateUser");
    ThrowIfInvalid(ValidateUpdateUser(*request));
    *response = store_.SetPassword(request->user().name(), HashPassword(request->user().password()), caller.user);
  });
}

grpc::Status IdentityService::DeleteUser(grpc::ServerContext* context, const DeleteUserRequest* request,
                                         DeleteUserResponse*) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequireAdmin(caller, "DeleteUser");
    ThrowIfInvalid(ValidateUserName(request->name(), "name"));
    store_.DeleteUser(request->name(), caller.user);
  });
}

grpc::Status IdentityService::CreateToken(grpc::ServerContext* context, const CreateTokenRequest* request,
                                          CreateTokenResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    const std::string user = request->user().empty() ? caller.user : request->user();
    if (user != caller.user) RequireAdmin(caller, "CreateToken for another user");
    ThrowIfInvalid(ValidateCreateToken(*request));
    NewToken generated = GenerateToken();
    Token token;
    token.set_id(generated.id);
    token.set_user(user);
    token.set_description(request->description());
    if (request->ttl_seconds() > 0)
      *token.mutable_expire_time() = TimeUtil::GetCurrentTime() + TimeUtil::SecondsToDuration(request->ttl_seconds());
    *response->mutable_token() = store_.CreateToken(token, HashTokenSecret(generated.secret), caller.user);
    response->set_secret(generated.Text());
  });
}

grpc::Status IdentityService::ListTokens(grpc::ServerContext* context, const ListTokensRequest* request,
                                         ListTokensResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    if (!request->user().empty() && request->user() != caller.user) RequireAdmin(caller, "ListTokens of another user");
    std::vector<FieldViolation> violations;
    if (!request->user().empty()) violations = ValidateUserName(request->user(), "user");
    int32_t limit = IdentityPageSize(request->page_size(), violations);
    ThrowIfInvalid(std::move(violations));
    std::string after = DecodePageToken(request->page_token(), "ListTokens");
    const std::string of = !request->user().empty() ? request->user() : caller.admin ? "" : caller.user;
    auto tokens = store_.ListTokens(of, after, limit + 1);
    bool more = tokens.size() > size_t(limit);
    if (more) tokens.resize(size_t(limit));
    if (more) response->set_next_page_token(EncodePageToken(tokens.back().id()));
    for (auto& token : tokens) *response->add_tokens() = std::move(token);
  });
}

grpc::Status IdentityService::RevokeToken(grpc::ServerContext* context, const RevokeTokenRequest* request,
                                          RevokeTokenResponse*) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    ThrowIfInvalid(ValidateTokenId(request->id(), "id"));
    auto stored = store_.FindToken(request->id());
    // Someone else's token is "not found" for a non-admin: they learn nothing about other users' ids.
    if (!stored || (!caller.admin && stored->token.user() != caller.user))
      throw Error(ErrorCode::kNotFound, "token " + QuoteForMessage(request->id()) +
                                            " not found among the tokens you may revoke; ListTokens shows them");
    store_.DeleteToken(request->id(), caller.user);
  });
}

grpc::Status IdentityService::CreateUserGroup(grpc::ServerContext* context, const CreateUserGroupRequest* request,
                                              UserGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequireAdmin(caller, "CreateUserGroup");
    if (!request->has_user_group()) throw InvalidArgument({{"user_group", "is required: the user group to create"}});
    ThrowIfInvalid(ValidateUserGroup(request->user_group(), "user_group"));
    *response = store_.CreateGroup(request->user_group(), caller.user);
  });
}

grpc::Status IdentityService::GetUserGroup(grpc::ServerContext* context, const GetUserGroupRequest* request,
                                           UserGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    ThrowIfInvalid(ValidateUserName(request->name(), "name"));
    if (!IsMember(caller, request->name())) RequireAdmin(caller, "GetUserGroup of a group the caller is not in");
    auto group = store_.GetGroup(request->name());
    if (!group) throw GroupNotFound(request->name());
    *response = *group;
  });
}

grpc::Status IdentityService::ListUserGroups(grpc::ServerContext* context, const ListUserGroupsRequest* request,
                                             ListUserGroupsResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    std::vector<FieldViolation> violations;
    int32_t limit = IdentityPageSize(request->page_size(), violations);
    ThrowIfInvalid(std::move(violations));
    std::string after = DecodePageToken(request->page_token(), "ListUserGroups");
    if (!caller.admin) {
      // Filtered to what the caller may read: the groups they are in.
      for (const auto& name : caller.user_groups)
        if (name > after)
          if (auto group = store_.GetGroup(name)) *response->add_user_groups() = *group;
      return;
    }
    auto groups = store_.ListGroups(after, limit + 1);
    bool more = groups.size() > size_t(limit);
    if (more) groups.resize(size_t(limit));
    if (more) response->set_next_page_token(EncodePageToken(groups.back().name()));
    for (auto& group : groups) *response->add_user_groups() = std::move(group);
  });
}

grpc::Status IdentityService::UpdateUserGroup(grpc::ServerContext* context, const UpdateUserGroupRequest* request,
                                              UserGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequireAdmin(caller, "UpdateUserGroup");
    if (!request->has_user_group())
      throw InvalidArgument({{"user_group", "is required: the user group's name and the fields to change"}});
    const std::string& name = request->user_group().name();
    ThrowIfInvalid(ValidateUserName(name, "user_group.name"));
    if (request->expected_generation() < 0)
      throw InvalidArgument({{"expected_generation", "must not be negative (0 means no check)"}});
    auto current = store_.GetGroup(name);
    if (!current) throw GroupNotFound(name);
    if (request->expected_generation() != 0 && request->expected_generation() != current->generation())
      throw Error(ErrorCode::kAborted, "user group " + QuoteForMessage(name) + " is at generation " +
                                           std::to_string(current->generation()) + ", not the expected " +
                                           std::to_string(request->expected_generation()) +
                                           "; read it again and retry");
    std::vector<FieldViolation> violations;
    UserGroup merged = MergeUserGroup(*current, request->user_group(), request->update_mask(), violations);
    auto group_problems = ValidateUserGroup(merged, "user_group");
    violations.insert(violations.end(), group_problems.begin(), group_problems.end());
    ThrowIfInvalid(std::move(violations));
    *response = store_.UpdateGroup(merged, current->generation(), caller.user);
  });
}

grpc::Status IdentityService::DeleteUserGroup(grpc::ServerContext* context, const DeleteUserGroupRequest* request,
                                              DeleteUserGroupResponse*) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequireAdmin(caller, "DeleteUserGroup");
    ThrowIfInvalid(ValidateUserName(request->name(), "name"));
    store_.DeleteGroup(request->name(), caller.user);
  });
}

}  // namespace nebula::api_manager
