// Text → protobuf scalar conversions with Go's strconv/time semantics, because grpc-gateway parses
// path and query values with them (runtime/query.go parseField). Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <google/protobuf/message.h>

namespace nebula::gateway {

// Sets (or, with add, appends) a non-message field from text; an error text in Go's wording otherwise.
std::optional<std::string> SetScalarFromString(google::protobuf::Message& message,
                                               const google::protobuf::FieldDescriptor& field, const std::string& value,
                                               bool add);

// Go's time.ParseDuration ("1.5s", "2h45m", "-300ms") → {seconds, nanos}.
std::optional<std::pair<std::int64_t, std::int32_t>> ParseGoDuration(std::string_view text);

// Go's url.QueryUnescape: '+' is a space; nullopt on a broken escape.
std::optional<std::string> QueryUnescape(std::string_view text);

// Base64 (standard, then URL-safe alphabet; padding optional), as grpc-gateway's runtime.Bytes.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

}  // namespace nebula::gateway
