#include "common/error.h"

namespace nebula {

Error InvalidArgument(std::vector<FieldViolation> violations) {
  std::string message = "invalid argument: ";
  for (size_t i = 0; i < violations.size(); ++i) {
    if (i > 0) message += "; ";
    message += violations[i].field + ": " + violations[i].description;
  }
  return Error(ErrorCode::kInvalidArgument, std::move(message), std::move(violations));
}

}  // namespace nebula
