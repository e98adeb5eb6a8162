// One-pass JSON of a protobuf message, exactly as grpc-gateway v2's default marshaler writes it
// (protojson with EmitUnpopulated, lowerCamel names), appended straight to an output buffer. Pure.
//
// The shape, field by field (protobuf-go encoding/protojson encode.go):
//   - fields in declaration order, named by json_name;
//   - unset scalars as their zero value, repeated as [], maps as {} (keys sorted as protojson sorts
//     them), unset singular messages as null, unset oneof members and proto3 `optional` fields left out;
//   - int64/uint64 (and their wrappers) as strings, floats shortest round-trip, NaN/±Infinity as strings;
//   - enums by name (numbers without a name as numbers; NullValue as null); bytes as padded base64;
//   - well-known types in canonical form: Timestamp (RFC 3339, 0/3/6/9 fraction digits), Duration
//     ("1.5s"), FieldMask ("a.b,fooBar"), Struct/Value/ListValue, wrappers, Empty, Any ("@type" first;
//     the type must be in the generated pool).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

namespace nebula::gateway {

// A message protojson refuses to print (an Any of a type this binary does not know, a Timestamp or
// Duration out of range). grpc-gateway answers those with an error; so do we.
struct UnprintableMessage : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Appends the JSON of `message` to `out`. Throws UnprintableMessage.
void AppendMessageJson(const google::protobuf::Message& message, std::string& out);

// Appends one field of `message` as its value alone (response_body): a message field prints even when
// unset (as its empty message, like Go's nil-message marshal), a repeated field as an array.
void AppendFieldJson(const google::protobuf::Message& message, const google::protobuf::FieldDescriptor& field,
                     std::string& out);

// An Any as protojson prints it; false (and nothing appended) when its type is not in the generated pool
// or its bytes do not parse.
bool AppendAnyJson(const google::protobuf::Message& any, std::string& out);

// A JSON string literal; invalid UTF-8 bytes become U+FFFD.
void AppendJsonString(std::string_view text, std::string& out);

}  // namespace nebula::gateway
