// The Identity gRPC service (proto/nebula/v1/identity.proto): users, tokens, user groups, WhoAmI.
// Every call is authenticated by the Authenticator it is given (--auth required: tokens and
// passwords; --auth none: everyone is the admin "anonymous"); permissions as the proto says.
#pragma once

#include "api-manager/access/caller.h"
#include "api-manager/access/identity_store.h"
#include "nebula/v1/identity.grpc.pb.h"

namespace nebula::api_manager {

class IdentityService final : public nebula::v1::Identity::Service {
 public:
  IdentityService(IdentityStore& store, Authenticator& authenticator) : store_(store), authenticator_(authenticator) {}

  grpc::Status WhoAmI(grpc::ServerContext* context, const nebula::v1::WhoAmIRequest* request,
                      nebula::v1::WhoAmIResponse* response) override;
  grpc::Status CreateUser(grpc::ServerContext* context, const nebula::v1::CreateUserRequest* request,
                          nebula::v1::User* response) override;
  grpc::Status GetUser(grpc::ServerContext* context, const nebula::v1::GetUserRequest* request,
                       nebula::v1::User* response) override;
  grpc::Status ListUsers(grpc::ServerContext* context, const nebula::v1::ListUsersRequest* request,
                         nebula::v1::ListUsersResponse* response) override;
  grpc::Status UpdateUser(grpc::ServerContext* context, const nebula::v1::UpdateUserRequest* request,
                          nebula::v1::User* response) override;
  grpc::Status DeleteUser(grpc::ServerContext* context, const nebula::v1::DeleteUserRequest* request,
                          nebula::v1::DeleteUserResponse* response) override;
  grpc::Status CreateToken(grpc::ServerContext* context, const nebula::v1::CreateTokenRequest* request,
                           nebula::v1::CreateTokenResponse* response) override;
  grpc::Status ListTokens(grpc::ServerContext* context, const nebula::v1::ListTokensRequest* request,
                          nebula::v1::ListTokensResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context, const nebula::v1::RevokeTokenRequest* request,
                           nebula::v1::RevokeTokenResponse* response) override;
  grpc::Status CreateUserGroup(grpc::ServerContext* context, const nebula::v1::CreateUserGroupRequest* request,
                               nebula::v1::UserGroup* response) override;
  grpc::Status GetUserGroup(grpc::ServerContext* context, const nebula::v1::GetUserGroupRequest* request,
                            nebula::v1::UserGroup* response) override;
  grpc::Status ListUserGroups(grpc::ServerContext* context, const nebula::v1::ListUserGroupsRequest* request,
                              nebula::v1::ListUserGroupsResponse* response) override;
  grpc::Status UpdateUserGroup(grpc::ServerContext* context, const nebula::v1::UpdateUserGroupRequest* request,
                               nebula::v1::UserGroup* response) override;
  grpc::Status DeleteUserGroup(grpc::ServerContext* context, const nebula::v1::DeleteUserGroupRequest* request,
                               nebula::v1::DeleteUserGroupResponse* response) override;

 private:
  Caller Authenticate(const grpc::ServerContext& context);

  IdentityStore& store_;
  Authenticator& authenticator_;
};

}  // namespace nebula::api_manager
