#include "exit_codes.h"

namespace nebula::cli {

const char* const kExitCodeHelp =
    "Exit codes:\n"
    "  0  success\n"
    "  1  usage: unknown command or flag, missing argument, a flag value, file (apply -f) or config\n"
    "     file that does not parse\n"
    "     (nothing was sent)\n"
    "  2  not found\n"
    "  3  conflict: already exists, or --expected-generation did not match (ABORTED)\n"
    "  4  invalid argument: the api-manager rejected the input (the field is named)\n"
    "  5  unavailable: the api-manager could not be reached before --timeout\n"
    "  6  unauthenticated or permission denied\n"
    "  7  any other error\n"
    "  8  --wait: the rollout failed (hosts reported errors for the new generation)\n"
    "  9  --wait: the rollout did not finish before --timeout (the change itself was made)";

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound: return kExitNotFound;
    case ErrorCode::kAlreadyExists:
    case ErrorCode::kAborted:
    case ErrorCode::kFailedPrecondition: return kExitConflict;
    case ErrorCode::kInvalidArgument: return kExitInvalidArgument;
    case ErrorCode::kUnavailable:
    case ErrorCode::kDeadlineExceeded: return kExitUnavailable;
    case ErrorCode::kUnauthenticated:
    case ErrorCode::kPermissionDenied: return kExitDenied;
    case ErrorCode::kInternal: break;
  }
  return kExitInternal;
}

std::string CodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "INVALID_ARGUMENT";
    case ErrorCode::kNotFound: return "NOT_FOUND";
    case ErrorCode::kAlreadyExists: return "ALREADY_EXISTS";
    case ErrorCode::kFailedPrecondition: return "FAILED_PRECONDITION";
    case ErrorCode::kAborted: return "ABORTED";
    case ErrorCode::kUnavailable: return "UNAVAILABLE";
    case ErrorCode::kDeadlineExceeded: return "DEADLINE_EXCEEDED";
    case ErrorCode::kPermissionDenied: return "PERMISSION_DENIED";
    case ErrorCode::kUnauthenticated: return "UNAUTHENTICATED";
    case ErrorCode::kInternal: break;
  }
  return "INTERNAL";
}

std::string ErrorLine(const Error& error) {
  std::string line = "error: ";
  line += error.what();
  for (const auto& violation : error.violations()) {
    const std::string item = violation.field + ": " + violation.description;
    if (line.find(item) == std::string::npos) line += "; " + item;
  }
  // A multi-line server message would break "one line per failure".
  for (auto& c : line)
    if (c == '\n' || c == '\r') c = ' ';
  return line + " (" + CodeName(error.code()) + ")";
}

}  // namespace nebula::cli
