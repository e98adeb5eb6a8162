// The one error convention of the code base: failures are thrown as nebula::Error, carrying a
// gRPC-style code and, for bad input, the offending fields. Service edges turn it into a
// grpc::Status (grpc_status.h); pure functions that check input return FieldViolations instead.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nebula {

enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kDeadlineExceeded,
  kPermissionDenied,
  kUnauthenticated,
  kInternal,
};

struct FieldViolation {
  std::string field;        // proto field path, e.g. "app.spec.ports[1].host_port"
  std::string description;  // what is wrong, for a human

  bool operator==(const FieldViolation&) const = default;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, std::string message, std::vector<FieldViolation> violations = {})
      : std::runtime_error(std::move(message)), code_(code), violations_(std::move(violations)) {}

  ErrorCode code() const noexcept { return code_; }
  const std::vector<FieldViolation>& violations() const noexcept { return violations_; }

 private:
  ErrorCode code_;
  std::vector<FieldViolation> violations_;
};

// INVALID_ARGUMENT whose message lists every violation ("field: problem; ...").
Error InvalidArgument(std::vector<FieldViolation> violations);

}  // namespace nebula
