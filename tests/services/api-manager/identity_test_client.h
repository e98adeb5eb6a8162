// Shared by the identity integration tests: the auth-required stack, stubs and credentials.
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "api-manager/access/credentials.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/identity.grpc.pb.h"
#include "stack_fixture.h"

namespace identity_test {

inline const nebula::testing::StackInfo& Stack() {
  return nebula::testing::SharedStack(nebula::testing::StackAuth::kRequired);
}

inline std::shared_ptr<grpc::Channel> Channel(const std::string& endpoint = "") {
  return grpc::CreateChannel(endpoint.empty() ? Stack().endpoint : endpoint, grpc::InsecureChannelCredentials());
}

inline std::string Bearer(const std::string& token) { return "Bearer " + token; }
inline std::string Basic(const std::string& user, const std::string& password) {
  return "Basic " + nebula::api_manager::EncodeBase64(user + ":" + password);
}
inline std::string Admin() { return Bearer(Stack().token); }

inline std::unique_ptr<grpc::ClientContext> Context(const std::string& authorization,
                                                    std::chrono::seconds timeout = std::chrono::seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!authorization.empty()) context->AddMetadata("authorization", authorization);
  return context;
}

// Call(&Identity::Stub::WhoAmI, auth, request, &response) on a stub of the shared stack.
template <class Stub, class Request, class Response>
grpc::Status CallOn(Stub& stub, grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& authorization, const Request& request, Response* response) {
  auto context = Context(authorization);
  return (stub.*method)(context.get(), request, response);
}

inline nebula::v1::Identity::Stub& IdentityStub() {
  static auto stub = nebula::v1::Identity::NewStub(Channel());
  return *stub;
}
inline nebula::v1::ApiManager::Stub& ApiStub() {
  static auto stub = nebula::v1::ApiManager::NewStub(Channel());
  return *stub;
}

template <class Request, class Response>
grpc::Status Call(grpc::Status (nebula::v1::Identity::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const std::string& authorization, const Request& request, Response* response) {
  return CallOn(IdentityStub(), method, authorization, request, response);
}

// Creates a user (as the admin) if it does not exist yet.
inline void EnsureUser(const std::string& name, const std::string& password) {
  nebula::v1::CreateUserRequest request;
  request.mutable_user()->set_name(name);
  request.mutable_user()->set_password(password);
  nebula::v1::User user;
  auto status = Call(&nebula::v1::Identity::Stub::CreateUser, Admin(), request, &user);
  if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS)
    throw std::runtime_error("CreateUser " + name + ": " + status.error_message());
}

inline void EnsureGroup(const nebula::v1::UserGroup& group) {
  nebula::v1::CreateUserGroupRequest request;
  *request.mutable_user_group() = group;
  nebula::v1::UserGroup out;
  auto status = Call(&nebula::v1::Identity::Stub::CreateUserGroup, Admin(), request, &out);
  if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS)
    throw std::runtime_error("CreateUserGroup " + group.name() + ": " + status.error_message());
}

}  // namespace identity_test
