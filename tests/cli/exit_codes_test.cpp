#include "exit_codes.h"

#include <catch2/catch.hpp>

using nebula::Error;
using nebula::ErrorCode;
using namespace nebula::cli;

TEST_CASE("Exit codes follow the documented table") {
  CHECK(ExitCodeFor(ErrorCode::kNotFound) == 2);
  CHECK(ExitCodeFor(ErrorCode::kAlreadyExists) == 3);
  CHECK(ExitCodeFor(ErrorCode::kAborted) == 3);
  CHECK(ExitCodeFor(ErrorCode::kFailedPrecondition) == 3);
  CHECK(ExitCodeFor(ErrorCode::kInvalidArgument) == 4);
  CHECK(ExitCodeFor(ErrorCode::kUnavailable) == 5);
  CHECK(ExitCodeFor(ErrorCode::kDeadlineExceeded) == 5);
  CHECK(ExitCodeFor(ErrorCode::kUnauthenticated) == 6);
  CHECK(ExitCodeFor(ErrorCode::kPermissionDenied) == 6);
  CHECK(ExitCodeFor(ErrorCode::kInternal) == 7);
  // The help text documents every code it can return.
  for (int code = 0; code <= 7; ++code)
    CHECK_THAT(kExitCodeHelp, Catch::Contains("\n  " + std::to_string(code) + "  "));
}

TEST_CASE("The error line: message, violations not already in it, gRPC code name") {
  CHECK(ErrorLine(Error(ErrorCode::kNotFound, "app \"web\" not found")) == "error: app \"web\" not found (NOT_FOUND)");
  // The server's INVALID_ARGUMENT message already lists its violations: no repetition.
  const Error listed(ErrorCode::kInvalidArgument, "invalid argument: app.name: must be a DNS label",
                     {{"app.name", "must be a DNS label"}});
  CHECK(ErrorLine(listed) == "error: invalid argument: app.name: must be a DNS label (INVALID_ARGUMENT)");
  const Error terse(ErrorCode::kInvalidArgument, "bad request",
                    {{"app.spec.image", "required"}, {"app.spec.ports[0].host_port", "must be 1-65535"}});
  CHECK(
      ErrorLine(terse) ==
      "error: bad request; app.spec.image: required; app.spec.ports[0].host_port: must be 1-65535 (INVALID_ARGUMENT)");
  CHECK(ErrorLine(Error(ErrorCode::kInternal, "two\nlines")) == "error: two lines (INTERNAL)");
}
