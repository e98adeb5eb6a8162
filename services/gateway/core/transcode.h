// Request transcoding: HTTP (path bindings, query string, JSON body) → the gRPC request message, in
// grpc-gateway v2's order (generated template.go): body first, then path values (which override the
// body), then query parameters for the fields neither bound (only when body != "*"). Pure.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <google/protobuf/message.h>

#include "gateway/core/route_table.h"

namespace nebula::gateway {

// A failed transcoding: grpc-gateway answers these with InvalidArgument (HTTP 400).
struct TranscodeError {
  std::string message;
};

// Go's url.ParseQuery: '&'-separated, '+' is a space, a ';' or a broken escape is an error.
// Keys keep their order; repeated keys keep every value.
struct QueryParam {
  std::string key;
  std::vector<std::string> values;
};
std::optional<TranscodeError> ParseQueryString(std::string_view query, std::vector<QueryParam>& out);

// grpc-gateway's populateFieldValueFromPath: `path` is a dotted field path (proto or JSON name per
// segment); unknown fields are ignored; repeated fields take every value, maps take {key, value},
// singular fields exactly one value.
std::optional<TranscodeError> SetFieldFromStrings(google::protobuf::Message& message, std::string_view path,
                                                  const std::vector<std::string>& values);

// Fills `request` (empty, of the route's input type) from the HTTP request parts.
// `query` is the raw query string (without '?'), `body` the raw request body.
std::optional<TranscodeError> TranscodeRequest(const Route& route, const std::vector<PathBinding>& bindings,
                                               std::string_view query, std::string_view body,
                                               google::protobuf::Message& request);

}  // namespace nebula::gateway
