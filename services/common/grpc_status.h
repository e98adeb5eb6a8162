// Maps nebula::Error to grpc::Status at service edges (with google.rpc.BadRequest details for
// field violations) and back on the client side.
#pragma once

#include <grpcpp/support/status.h>

#include <functional>

#include "common/error.h"

namespace nebula {

grpc::Status ToGrpcStatus(const Error& error);

// Throws nebula::Error for a non-OK status (with field violations decoded from the details).
void ThrowIfError(const grpc::Status& status);

grpc::StatusCode ToGrpcCode(ErrorCode code);
ErrorCode FromGrpcCode(grpc::StatusCode code);

// Runs a handler body and turns every exception into a status a client can act on; unexpected
// exceptions become INTERNAL with their message, never a crash.
grpc::Status GuardedCall(const std::function<void()>& body);

}  // namespace nebula
