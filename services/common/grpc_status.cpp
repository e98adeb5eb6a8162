#include "common/grpc_status.h"

#include <spdlog/spdlog.h>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace nebula {

grpc::StatusCode ToGrpcCode(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return grpc::StatusCode::INVALID_ARGUMENT;
    case ErrorCode::kNotFound: return grpc::StatusCode::NOT_FOUND;
    case ErrorCode::kAlreadyExists: return grpc::StatusCode::ALREADY_EXISTS;
    case ErrorCode::kFailedPrecondition: return grpc::StatusCode::FAILED_PRECONDITION;
    case ErrorCode::kAborted: return grpc::StatusCode::ABORTED;
    case ErrorCode::kUnavailable: return grpc::StatusCode::UNAVAILABLE;
    case ErrorCode::kDeadlineExceeded: return grpc::StatusCode::DEADLINE_EXCEEDED;
    case ErrorCode::kPermissionDenied: return grpc::StatusCode::PERMISSION_DENIED;
    case ErrorCode::kUnauthenticated: return grpc::StatusCode::UNAUTHENTICATED;
    case ErrorCode::kInternal: return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::INTERNAL;
}

ErrorCode FromGrpcCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::OUT_OF_RANGE: return ErrorCode::kInvalidArgument;
    case grpc::StatusCode::NOT_FOUND: return ErrorCode::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS: return ErrorCode::kAlreadyExists;
    case grpc::StatusCode::FAILED_PRECONDITION: return ErrorCode::kFailedPrecondition;
    case grpc::StatusCode::ABORTED: return ErrorCode::kAborted;
    case grpc::StatusCode::UNAVAILABLE: return ErrorCode::kUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED: return ErrorCode::kDeadlineExceeded;
    case grpc::StatusCode::PERMISSION_DENIED: return ErrorCode::kPermissionDenied;
    case grpc::StatusCode::UNAUTHENTICATED: return ErrorCode::kUnauthenticated;
    default: return ErrorCode::kInternal;
  }
}

grpc::Status ToGrpcStatus(const Error& error) {
  if (error.violations().empty()) return grpc::Status(ToGrpcCode(error.code()), error.what());
  google::rpc::BadRequest bad_request;
  for (const auto& v : error.violations()) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  google::rpc::Status status;
  status.set_code(static_cast<int>(ToGrpcCode(error.code())));
  status.set_message(error.what());
  status.add_details()->PackFrom(bad_request);
  return grpc::Status(ToGrpcCode(error.code()), error.what(), status.SerializeAsString());
}

void ThrowIfError(const grpc::Status& status) {
  if (status.ok()) return;
  std::vector<FieldViolation> violations;
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad_request;
      if (!any.UnpackTo(&bad_request)) continue;
      for (const auto& fv : bad_request.field_violations()) violations.push_back({fv.field(), fv.description()});
    }
  }
  throw Error(FromGrpcCode(status.error_code()), status.error_message(), std::move(violations));
}

grpc::Status GuardedCall(const std::function<void()>& body) {
  try {
    body();
    return grpc::Status::OK;
  } catch (const Error& e) {
    return ToGrpcStatus(e);
  } catch (const std::exception& e) {
    spdlog::error("unexpected error in RPC handler: {}", e.what());
    return grpc::Status(grpc::StatusCode::INTERNAL, std::string("internal error: ") + e.what());
  }
}

}  // namespace nebula
