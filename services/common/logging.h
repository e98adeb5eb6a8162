// One log format for every service: logfmt-style lines (time, level, service, message) on stderr,
// level from --log-level / NEBULA_LOG_LEVEL.
#pragma once

#include <string>

namespace nebula {

void SetUpLogging(const std::string& service, const std::string& level);

}  // namespace nebula
