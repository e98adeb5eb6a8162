// One log format for every service, on stderr, level from --log-level / NEBULA_LOG_LEVEL:
//   text: logfmt-style lines: ts=... level=... service=... msg="..."
//   json: one JSON object per line: {"time":"...","level":"...","service":"...","message":"..."}
// (--log-format / NEBULA_LOG_FORMAT where a service offers it). Never log secrets.
#pragma once

#include <memory>
#include <string>

namespace spdlog {
class formatter;
}

namespace nebula {

// format: "text" (default) or "json"; anything else throws std::invalid_argument.
void SetUpLogging(const std::string& service, const std::string& level, const std::string& format = "text");

// The formatter SetUpLogging installs (times in UTC); the logger's name is the service.
std::unique_ptr<spdlog::formatter> MakeLogFormatter(const std::string& format);

}  // namespace nebula
