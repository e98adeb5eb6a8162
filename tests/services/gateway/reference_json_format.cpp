#include "reference_json_format.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/any.pb.h>
#include <google/rpc/status.pb.h>

#include <nlohmann/json.hpp>

namespace nebula::gateway::reference {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using Json = nlohmann::ordered_json;

// Text from the wire (status messages) may hold invalid UTF-8: replace it rather than throw.
std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

bool IsWellKnown(const pb::Descriptor& d) { return d.file()->package() == "google.protobuf"; }

// Re-emits `printed` (protobuf's JSON of `message`) with protojson's EmitUnpopulated shape.
Json Reshape(const pb::Message& message, Json printed) {
  if (!printed.is_object()) return printed;
  const pb::Descriptor& d = *message.GetDescriptor();
  const pb::Reflection& r = *message.GetReflection();
  Json out = Json::object();
  for (int i = 0; i < d.field_count(); ++i) {
    const FD& field = *d.field(i);
    const std::string& key = field.json_name();
    auto it = printed.find(key);
    const bool present = field.is_repeated() ? true : (field.has_presence() ? r.HasField(message, &field) : true);
    if (!present) {
      const bool in_oneof = field.containing_oneof() != nullptr;  // real or synthetic (proto3 optional)
      if (field.cpp_type() == FD::CPPTYPE_MESSAGE && !in_oneof) out[key] = nullptr;
      continue;
    }
    if (it == printed.end()) continue;
    Json value = std::move(*it);
    if (field.cpp_type() == FD::CPPTYPE_MESSAGE && !IsWellKnown(*field.message_type())) {
      if (field.is_map()) {
        const FD* value_field = field.message_type()->map_value();
        if (value_field->cpp_type() == FD::CPPTYPE_MESSAGE && !IsWellKnown(*value_field->message_type())) {
          // Map entries print keyed by their key text; match them by re-printing each entry's key.
          for (int j = 0; j < r.FieldSize(message, &field); ++j) {
            const pb::Message& entry = r.GetRepeatedMessage(message, &field, j);
            const pb::Reflection& er = *entry.GetReflection();
            const FD* key_field = entry.GetDescriptor()->map_key();
            std::string map_key;
            switch (key_field->cpp_type()) {
              case FD::CPPTYPE_STRING: map_key = er.GetString(entry, key_field); break;
              case FD::CPPTYPE_BOOL: map_key = er.GetBool(entry, key_field) ? "true" : "false"; break;
              case FD::CPPTYPE_INT32: map_key = std::to_string(er.GetInt32(entry, key_field)); break;
              case FD::CPPTYPE_INT64: map_key = std::to_string(er.GetInt64(entry, key_field)); break;
              case FD::CPPTYPE_UINT32: map_key = std::to_string(er.GetUInt32(entry, key_field)); break;
              case FD::CPPTYPE_UINT64: map_key = std::to_string(er.GetUInt64(entry, key_field)); break;
              default: break;
            }
            auto entry_it = value.find(map_key);
            if (entry_it != value.end()) {
              *entry_it = Reshape(er.GetMessage(entry, value_field), std::move(*entry_it));
            }
          }
        }
      } else if (field.is_repeated()) {
        for (int j = 0; j < r.FieldSize(message, &field) && j < static_cast<int>(value.size()); ++j) {
          value[j] = Reshape(r.GetRepeatedMessage(message, &field, j), std::move(value[j]));
        }
      } else {
        value = Reshape(r.GetMessage(message, &field), std::move(value));
      }
    }
    out[key] = std::move(value);
  }
  return out;
}

Json ToJson(const pb::Message& message) {
  pb::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string text;
  if (!pb::util::MessageToJsonString(message, &text, options).ok()) {
    // Only an Any of a type this binary does not know gets here.
    return Json{{"error", "unprintable message " + message.GetDescriptor()->full_name()}};
  }
  Json printed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (printed.is_discarded()) return Json{{"error", "unprintable message " + message.GetDescriptor()->full_name()}};
  if (IsWellKnown(*message.GetDescriptor())) return printed;
  return Reshape(message, std::move(printed));
}

// An Any detail as protojson prints it: "@type" first, then the message's fields with the same
// EmitUnpopulated shape as everything else (well-known types keep the printer's "value" form).
Json AnyToJson(const pb::Any& any) {
  const std::string type_name = any.type_url().substr(any.type_url().rfind('/') + 1);
  const pb::Descriptor* type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(type_name);
  if (type == nullptr) return nullptr;
  std::unique_ptr<pb::Message> message(pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
  if (!message->ParseFromString(any.value())) return nullptr;
  Json body = ToJson(*message);
  if (IsWellKnown(*type) || !body.is_object()) {
    return Json{{"@type", any.type_url()}, {"value", std::move(body)}};
  }
  Json out = Json::object();
  out["@type"] = any.type_url();
  for (auto& [k, v] : body.items()) out[k] = std::move(v);
  return out;
}

Json StatusToJson(int grpc_code, std::string_view message, std::string_view details_bin) {
  google::rpc::Status status;
  if (details_bin.empty() || !status.ParseFromArray(details_bin.data(), static_cast<int>(details_bin.size()))) {
    status.Clear();
  }
  Json out = Json::object();
  out["code"] = grpc_code;
  out["message"] = std::string(message);
  Json details = Json::array();
  for (const pb::Any& any : status.details()) {
    Json detail = AnyToJson(any);
    if (!detail.is_null()) details.push_back(std::move(detail));  // unknown detail types are dropped
  }
  out["details"] = std::move(details);
  return out;
}

}  // namespace

std::string MessageToGatewayJson(const pb::Message& message) { return Dump(ToJson(message)); }

std::string FieldToGatewayJson(const pb::Message& message, const std::string& field_name) {
  const FD* field = message.GetDescriptor()->FindFieldByName(field_name);
  if (field == nullptr) return "null";
  Json whole = ToJson(message);
  auto it = whole.find(field->json_name());
  if (it == whole.end() || it->is_null()) return field->cpp_type() == FD::CPPTYPE_MESSAGE ? "{}" : "null";
  return Dump(*it);
}

std::string StatusJson(int grpc_code, std::string_view message, std::string_view status_details_bin) {
  return Dump(StatusToJson(grpc_code, message, status_details_bin));
}

}  // namespace nebula::gateway::reference
