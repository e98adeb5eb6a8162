// JSON the way grpc-gateway v2's default marshaler writes it (runtime/marshaler_registry.go:
// protojson with EmitUnpopulated, lowerCamel names), the error body, and the gRPC→HTTP status table
// (runtime/errors.go HTTPStatusFromCode). Pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <google/protobuf/message.h>

namespace nebula::gateway {

// protojson with EmitUnpopulated, in one pass (proto_json_writer.h has the rules). Throws
// UnprintableMessage for what protojson refuses (an Any of an unknown type, a Timestamp out of range).
// `reserve`: bytes to reserve up front (twice the wire size is a good guess).
std::string MessageToGatewayJson(const google::protobuf::Message& message, std::size_t reserve = 512);

// response_body:"field": only that field of the response (an unset message prints as {}).
std::string FieldToGatewayJson(const google::protobuf::Message& message, const std::string& field_name,
                               std::size_t reserve = 512);

// `{"result": <message>}` / `{"error": <status>}`: one line of a server-streaming response.
std::string StreamResultJson(const google::protobuf::Message& message);
std::string StreamErrorJson(int grpc_code, std::string_view message, std::string_view status_details_bin);

// google.rpc.Status as JSON: {"code","message","details":[Any…]}. `status_details_bin` is the
// serialized google.rpc.Status a gRPC server attached (grpc::Status::error_details()); its details are
// used when it parses. Detail types this binary does not know are dropped (see docs/gateway.md).
std::string StatusJson(int grpc_code, std::string_view message, std::string_view status_details_bin = {});

// grpc-gateway v2's HTTPStatusFromCode (Canceled 499, FailedPrecondition 400, unknown codes 500).
int HttpStatusFromGrpcCode(int grpc_code);

}  // namespace nebula::gateway
