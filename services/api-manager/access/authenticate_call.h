// The one place a gRPC call's "authorization" metadata reaches the Authenticator, shared by every
// service of the api-manager so they cannot disagree on how a credential is read.
#pragma once

#include <grpcpp/server_context.h>

#include <string_view>

#include "api-manager/access/caller.h"

namespace nebula::api_manager {

inline Caller AuthenticateCall(Authenticator& authenticator, const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  const auto it = metadata.find("authorization");
  const std::string_view value =
      it == metadata.end() ? std::string_view() : std::string_view(it->second.data(), it->second.size());
  return authenticator.Authenticate(value);
}

}  // namespace nebula::api_manager
