// The CLI's exit codes and its one-line error report (documented in README.md and `nebula --help`).
#pragma once

#include <string>

#include "common/error.h"

namespace nebula::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 1,  // bad command line; nothing was sent
  kExitNotFound = 2,
  kExitConflict = 3,         // ALREADY_EXISTS, ABORTED (expected generation), FAILED_PRECONDITION
  kExitInvalidArgument = 4,  // the server rejected the input
  kExitUnavailable = 5,      // UNAVAILABLE or DEADLINE_EXCEEDED: the api-manager was not reached in time
  kExitDenied = 6,           // UNAUTHENTICATED, PERMISSION_DENIED
  kExitInternal = 7,         // anything else
  kExitRolloutFailed = 8,    // --wait: a host reported errors for the new generation
  kExitWaitTimeout = 9,      // --wait: the rollout did not finish before --timeout
};

int ExitCodeFor(ErrorCode code);
// "NOT_FOUND", "INVALID_ARGUMENT", ...: gRPC's names, which the server logs and REST errors use too.
std::string CodeName(ErrorCode code);
// "error: <message> (<CODE>)", on one line, with any field violation the message does not already name.
std::string ErrorLine(const Error& error);

// The --help footer that lists the codes above.
extern const char* const kExitCodeHelp;

}  // namespace nebula::cli
