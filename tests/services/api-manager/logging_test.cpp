#include "common/logging.h"

#include <catch2/catch.hpp>
#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ostream_sink.h>

#include <regex>
#include <sstream>
#include <stdexcept>

namespace {

// The line a logger named service writes with the given format.
std::string LogLine(const std::string& format, const std::string& service, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  spdlog::logger logger(service, sink);
  logger.set_formatter(nebula::MakeLogFormatter(format));
  logger.warn("{}", message);
  return out.str();
}

}  // namespace

TEST_CASE("json logs are one object per line with time level service and message") {
  std::string line = LogLine("json", "nebula-api-manager", "relay \"leader\" at C:\\x\nnext\tline\x01");
  std::regex shape(
      "\\{\"time\":\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\",\"level\":\"warning\","
      "\"service\":\"nebula-api-manager\",\"message\":\"relay \\\\\"leader\\\\\" at C:\\\\\\\\x\\\\nnext\\\\tline"
      "\\\\u0001\"\\}\n");
  INFO(line);
  CHECK(std::regex_match(line, shape));
  CHECK(std::count(line.begin(), line.end(), '\n') == 1);  // escaped newlines keep it one line
}

TEST_CASE("text logs keep the logfmt-style line") {
  std::string line = LogLine("text", "svc", "hello");
  INFO(line);
  CHECK(std::regex_match(line, std::regex("ts=\\S+Z level=warning service=svc msg=\"hello\"\n")));
}

TEST_CASE("an unknown log format is refused") {
  CHECK_THROWS_AS(nebula::MakeLogFormatter("xml"), std::invalid_argument);
}
