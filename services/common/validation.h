// Pure checks of user input (docs/architecture.md "Bad input"). Each returns every problem it finds as a FieldViolation
// whose field is a proto path ("app.spec.ports[1].host_port") and whose description says what is wrong and what is
// allowed, so a caller can fix all of them in one round trip. No I/O, no exceptions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "nebula/v1/app.pb.h"

namespace nebula {

// Limits that protect the services and the Kafka payload size, not Docker rules.
inline constexpr size_t kMaxAppSpecBytes = 256 * 1024;  // serialized AppSpec; Kafka's default record cap is 1 MB
inline constexpr int32_t kMaxInstancesPerHost = 1000;
inline constexpr int64_t kMinMemoryLimitMb = 6;  // dockerd refuses smaller memory limits

std::vector<FieldViolation> ValidateAppName(std::string_view name, std::string_view field);

// field_prefix names the spec itself, e.g. "app.spec".
std::vector<FieldViolation> ValidateAppSpec(const nebula::v1::AppSpec& spec, std::string_view field_prefix);

// Building blocks, reused by other resources (cron jobs share image, env, volumes, devices).
// Each returns why the value is invalid, or nullopt if it is fine.
std::optional<std::string> DnsLabelProblem(std::string_view name);
std::optional<std::string> ImageReferenceProblem(std::string_view image);
std::optional<std::string> EnvNameProblem(std::string_view name);
bool IsIpLiteral(std::string_view text);

// Renders user input for an error message: quoted, non-printable bytes escaped (messages must be
// valid UTF-8 and one line), long values shortened.
std::string QuoteForMessage(std::string_view value);

}  // namespace nebula
