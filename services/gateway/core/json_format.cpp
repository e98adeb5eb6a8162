#include "gateway/core/json_format.h"

#include <google/protobuf/any.pb.h>
#include <google/protobuf/descriptor.h>
#include <google/rpc/status.pb.h>

#include "gateway/core/proto_json_writer.h"

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

void AppendStatus(int grpc_code, std::string_view message, std::string_view details_bin, std::string& out) {
  google::rpc::Status status;
  if (details_bin.empty() || !status.ParseFromArray(details_bin.data(), static_cast<int>(details_bin.size()))) {
    status.Clear();
  }
  out += "{\"code\":";
  out += std::to_string(grpc_code);
  out += ",\"message\":";
  AppendJsonString(message, out);
  out += ",\"details\":[";
  bool first = true;
  for (const pb::Any& any : status.details()) {
    const std::size_t mark = out.size();
    if (!first) out += ',';
    if (AppendAnyJson(any, out)) {
      first = false;
    } else {
      out.resize(mark);  // unknown detail types are dropped
    }
  }
  out += "]}";
}

}  // namespace

std::string MessageToGatewayJson(const pb::Message& message, std::size_t reserve) {
  std::string out;
  out.reserve(reserve);
  AppendMessageJson(message, out);
  return out;
}

std::string FieldToGatewayJson(const pb::Message& message, const std::string& field_name, std::size_t reserve) {
  const FD* field = message.GetDescriptor()->FindFieldByName(field_name);
  if (field == nullptr) return "null";
  if (!field->is_repeated() && field->cpp_type() == FD::CPPTYPE_MESSAGE &&
      !message.GetReflection()->HasField(message, field)) {
    return "{}";
  }
  if (!field->is_repeated() && field->containing_oneof() != nullptr &&
      !message.GetReflection()->HasField(message, field)) {
    return "null";
  }
  std::string out;
  out.reserve(reserve);
  AppendFieldJson(message, *field, out);
  return out;
}

std::string StreamResultJson(const pb::Message& message) {
  std::string out = "{\"result\":";
  AppendMessageJson(message, out);
  out += '}';
  return out;
}

std::string StreamErrorJson(int grpc_code, std::string_view message, std::string_view status_details_bin) {
  std::string out = "{\"error\":";
  AppendStatus(grpc_code, message, status_details_bin, out);
  out += '}';
  return out;
}

std::string StatusJson(int grpc_code, std::string_view message, std::string_view status_details_bin) {
  std::string out;
  AppendStatus(grpc_code, message, status_details_bin, out);
  return out;
}

int HttpStatusFromGrpcCode(int grpc_code) {
  switch (grpc_code) {
    case 0: return 200;   // OK
    case 1: return 499;   // Canceled
    case 2: return 500;   // Unknown
    case 3: return 400;   // InvalidArgument
    case 4: return 504;   // DeadlineExceeded
    case 5: return 404;   // NotFound
    case 6: return 409;   // AlreadyExists
    case 7: return 403;   // PermissionDenied
    case 8: return 429;   // ResourceExhausted
    case 9: return 400;   // FailedPrecondition: grpc-gateway deliberately not 412
    case 10: return 409;  // Aborted
    case 11: return 400;  // OutOfRange
    case 12: return 501;  // Unimplemented
    case 13: return 500;  // Internal
    case 14: return 503;  // Unavailable
    case 15: return 500;  // DataLoss
    case 16: return 401;  // Unauthenticated
    default: return 500;
  }
}

}  // namespace nebula::gateway
