#include "gateway/core/transcode.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/time_util.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <algorithm>
#include <regex>

#include "gateway/core/scalar_parse.h"

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

const FD* FindField(const pb::Descriptor& message, const std::string& name) {
  if (const FD* field = message.FindFieldByName(name)) return field;
  for (int i = 0; i < message.field_count(); ++i) {
    if (message.field(i)->json_name() == name) return message.field(i);
  }
  return nullptr;
}

// grpc-gateway's parseMessage: the well-known types a query/path value may set.
std::optional<std::string> SetMessageFromString(pb::Message& target, const std::string& value) {
  const pb::Descriptor& d = *target.GetDescriptor();
  const pb::Reflection& r = *target.GetReflection();
  const std::string& name = d.full_name();
  auto value_field = [&] { return d.FindFieldByName("value"); };
  if (name == "google.protobuf.Timestamp") {
    if (value == "null") return std::nullopt;
    pb::Timestamp ts;
    if (!pb::util::TimeUtil::FromString(value, &ts)) {
      return "parsing time " + Quote(value) + " as RFC3339: cannot parse";
    }
    target.CopyFrom(ts);
    return std::nullopt;
  }
  if (name == "google.protobuf.Duration") {
    if (value == "null") return std::nullopt;
    std::optional<std::pair<std::int64_t, std::int32_t>> d2 = ParseGoDuration(value);
    if (!d2) return "time: invalid duration " + Quote(value);
    r.SetInt64(&target, d.FindFieldByName("seconds"), d2->first);
    r.SetInt32(&target, d.FindFieldByName("nanos"), d2->second);
    return std::nullopt;
  }
  if (name == "google.protobuf.FieldMask") {
    const FD* paths = d.FindFieldByName("paths");
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = value.find(',', start);
      r.AddString(&target, paths, value.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return std::nullopt;
  }
  if (name == "google.protobuf.Value" || name == "google.protobuf.Struct" || name == "google.protobuf.ListValue") {
    pb::util::JsonParseOptions options;
    pb::util::Status status = pb::util::JsonStringToMessage(value, &target, options);
    if (!status.ok()) return std::string(status.message());
    return std::nullopt;
  }
  static const char* const kWrappers[] = {
      "google.protobuf.DoubleValue", "google.protobuf.FloatValue",  "google.protobuf.Int64Value",
      "google.protobuf.UInt64Value", "google.protobuf.Int32Value",  "google.protobuf.UInt32Value",
      "google.protobuf.BoolValue",   "google.protobuf.StringValue", "google.protobuf.BytesValue"};
  for (const char* wrapper : kWrappers) {
    if (name == wrapper) return SetScalarFromString(target, *value_field(), value, false);
  }
  return "unsupported message type: " + Quote(name);
}

// One value into a scalar, enum or WKT field; `add` appends to a repeated field.
std::optional<std::string> SetOne(pb::Message& message, const FD& field, const std::string& value, bool add) {
  if (field.cpp_type() == FD::CPPTYPE_MESSAGE) {
    const pb::Reflection& r = *message.GetReflection();
    pb::Message* target = add ? r.AddMessage(&message, &field) : r.MutableMessage(&message, &field);
    if (!add) target->Clear();
    return SetMessageFromString(*target, value);
  }
  return SetScalarFromString(message, field, value, add);
}

bool IsRealOneof(const FD& field) {
  return field.containing_oneof() != nullptr && !field.containing_oneof()->is_synthetic();
}

}  // namespace

std::optional<TranscodeError> ParseQueryString(std::string_view query, std::vector<QueryParam>& out) {
  std::optional<TranscodeError> first_error;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.find(';') != std::string_view::npos) {
      if (!first_error) first_error = TranscodeError{"invalid semicolon separator in query"};
      continue;
    }
    if (part.empty()) continue;
    const std::size_t eq = part.find('=');
    std::optional<std::string> key = QueryUnescape(part.substr(0, eq));
    std::optional<std::string> value = QueryUnescape(eq == std::string_view::npos ? "" : part.substr(eq + 1));
    if (!key || !value) {
      if (!first_error) first_error = TranscodeError{"invalid URL escape in query"};
      continue;
    }
    auto it = std::find_if(out.begin(), out.end(), [&](const QueryParam& p) { return p.key == *key; });
    if (it == out.end()) {
      out.push_back({std::move(*key), {std::move(*value)}});
    } else {
      it->values.push_back(std::move(*value));
    }
  }
  return first_error;
}

std::optional<TranscodeError> SetFieldFromStrings(pb::Message& root, std::string_view path,
                                                  const std::vector<std::string>& values) {
  if (path.empty()) return TranscodeError{"no field path"};
  if (values.empty()) return TranscodeError{"no value provided"};
  pb::Message* message = &root;
  const FD* field = nullptr;
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string name(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    field = FindField(*message->GetDescriptor(), name);
    if (field == nullptr) return std::nullopt;  // an extra parameter that is not part of the request
    if (IsRealOneof(*field)) {
      const FD* set = message->GetReflection()->GetOneofFieldDescriptor(*message, field->containing_oneof());
      if (set != nullptr && (field->message_type() == nullptr || set != field)) {
        return TranscodeError{"field already set for oneof " + Quote(field->containing_oneof()->name())};
      }
    }
    if (dot == std::string_view::npos) break;
    if (field->cpp_type() != FD::CPPTYPE_MESSAGE || field->is_repeated()) {
      return TranscodeError{"invalid path: " + Quote(name) + " is not a message"};
    }
    message = message->GetReflection()->MutableMessage(message, field);
    start = dot + 1;
  }
  const pb::Reflection& r = *message->GetReflection();
  if (field->is_map()) {
    if (values.size() != 2) {
      return TranscodeError{"more than one value provided for key " + Quote(values[0]) + " in map " +
                            Quote(field->full_name())};
    }
    pb::Message* entry = r.AddMessage(message, field);
    const FD* key_field = entry->GetDescriptor()->map_key();
    const FD* value_field = entry->GetDescriptor()->map_value();
    if (auto e = SetOne(*entry, *key_field, values[0], false)) {
      r.RemoveLast(message, field);
      return TranscodeError{"parsing map key " + Quote(field->name()) + ": " + *e};
    }
    if (auto e = SetOne(*entry, *value_field, values[1], false)) {
      r.RemoveLast(message, field);
      return TranscodeError{"parsing map value " + Quote(field->name()) + ": " + *e};
    }
    return std::nullopt;
  }
  if (field->is_repeated()) {
    for (const std::string& value : values) {
      if (auto e = SetOne(*message, *field, value, true)) {
        return TranscodeError{"parsing list " + Quote(field->name()) + ": " + *e};
      }
    }
    return std::nullopt;
  }
  if (values.size() > 1) {
    std::string joined;
    for (const std::string& v : values) joined += (joined.empty() ? "" : ", ") + v;
    return TranscodeError{"too many values for field " + Quote(field->name()) + ": " + joined};
  }
  if (auto e = SetOne(*message, *field, values[0], false)) {
    return TranscodeError{"parsing field " + Quote(field->name()) + ": " + *e};
  }
  return std::nullopt;
}

namespace {

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t\r\n") == std::string_view::npos; }

std::optional<TranscodeError> DecodeBody(const Route& route, std::string_view body, pb::Message& request) {
  if (route.body.empty() || IsBlank(body)) return std::nullopt;  // no body rule: drained and ignored
  // Strict JSON first (protobuf's parser also takes single quotes and bare keys; Go's does not). A
  // whole-request body is only validated (no tree built), then parsed once, by protobuf.
  std::string json;
  if (route.body == "*") {
    if (!nlohmann::json::accept(body)) {
      try {
        const nlohmann::json rejected = nlohmann::json::parse(body);  // throws: the error names line and column
      } catch (const nlohmann::json::parse_error& e) {
        return TranscodeError{std::string("malformed JSON body: ") + e.what()};
      }
    }
  } else {
    nlohmann::json parsed;
    try {
      parsed = nlohmann::json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
      return TranscodeError{std::string("malformed JSON body: ") + e.what()};
    }
    // body:"field" decodes into that field; wrapping it lets one parser handle messages, scalars and lists.
    nlohmann::json wrapper = nlohmann::json::object();
    wrapper[route.body] = std::move(parsed);
    json = wrapper.dump();
  }
  pb::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // grpc-gateway's DiscardUnknown
  const std::string_view input = route.body == "*" ? body : std::string_view(json);
  pb::util::Status status =
      pb::util::JsonStringToMessage(pb::StringPiece(input.data(), input.size()), &request, options);
  if (!status.ok()) return TranscodeError{"invalid JSON body: " + std::string(status.message())};
  return std::nullopt;
}

std::vector<std::string> PathsBlindly(const std::string& name, const nlohmann::json& v) {
  if (!v.is_object() || v.empty()) return {name};
  std::vector<std::string> out;
  for (const auto& [k, child] : v.items()) {
    for (const std::string& p : PathsBlindly(k, child)) out.push_back(name + "." + p);
  }
  return out;
}

// grpc-gateway's FieldMaskFromRequestBody (runtime/fieldmask.go): the paths of the JSON keys present,
// not descending into repeated fields, maps or Struct values' types.
std::optional<TranscodeError> MaskFromBody(const nlohmann::json& node, const pb::Descriptor* type,
                                           const std::string& path, std::vector<std::string>& paths) {
  if (node.is_object() && !node.empty()) {
    for (const auto& [key, value] : node.items()) {
      if (type == nullptr) return TranscodeError{"JSON structure did not match request type"};
      const FD* field = FindField(*type, key);
      if (field == nullptr)
        return TranscodeError{"could not find field \"" + key + "\" in \"" + type->full_name() + "\""};
      const std::string child = path.empty() ? field->name() : path + "." + field->name();
      const pb::Descriptor* message = field->message_type();
      if (message != nullptr && !field->is_map() &&
          (message->full_name() == "google.protobuf.Struct" || message->full_name() == "google.protobuf.Value" ||
           message->full_name() == "google.protobuf.ListValue")) {
        for (const std::string& p : PathsBlindly(field->name(), value))
          paths.push_back(path.empty() ? p : path + "." + p);
        continue;
      }
      if (field->is_repeated()) {
        paths.push_back(child);
        continue;
      }
      if (message != nullptr && message->full_name() == "google.protobuf.Any") {
        if (!value.is_object() || !value.contains("@type")) {
          return TranscodeError{"could not find field @type in \"" + key + "\" in message \"" + type->full_name() +
                                "\""};
        }
        paths.push_back(key);
        continue;
      }
      if (auto e = MaskFromBody(value, message, child, paths)) return e;
    }
    return std::nullopt;
  }
  if (!path.empty()) paths.push_back(path);
  return std::nullopt;
}

// PATCH with body:"<field>" and an update_mask the client left empty: grpc-gateway (allow_patch_feature,
// on by default) fills the mask from the body's keys, before path and query values are applied.
std::optional<TranscodeError> FillPatchMask(const Route& route, std::string_view body, pb::Message& request) {
  if (route.http_method != "PATCH" || route.body.empty() || route.body == "*") return std::nullopt;
  const pb::Descriptor& d = *request.GetDescriptor();
  const FD* mask = d.FindFieldByName("update_mask");
  const FD* body_field = d.FindFieldByName(route.body);
  if (mask == nullptr || body_field == nullptr || mask->message_type() == nullptr ||
      mask->message_type()->full_name() != "google.protobuf.FieldMask" || mask->is_repeated()) {
    return std::nullopt;
  }
  const pb::Reflection& r = *request.GetReflection();
  pb::Message* mask_message = r.MutableMessage(&request, mask);
  const FD* paths_field = mask_message->GetDescriptor()->FindFieldByName("paths");
  if (mask_message->GetReflection()->FieldSize(*mask_message, paths_field) > 0) return std::nullopt;
  if (IsBlank(body)) return std::nullopt;
  nlohmann::json root = nlohmann::json::parse(body, nullptr, false);
  if (root.is_discarded()) return std::nullopt;  // DecodeBody already reported it
  std::vector<std::string> paths;
  if (auto e = MaskFromBody(root, body_field->message_type(), "", paths)) return e;
  std::sort(paths.begin(), paths.end());
  for (const std::string& p : paths) mask_message->GetReflection()->AddString(mask_message, paths_field, p);
  return std::nullopt;
}

// grpc-gateway's QueryParamFilter: a key is skipped when a bound field path is a prefix of it.
bool IsFiltered(const Route& route, const std::string& key) {
  auto has_prefix = [&](const std::string& bound) {
    return key == bound ||
           (key.size() > bound.size() && key.compare(0, bound.size(), bound) == 0 && key[bound.size()] == '.');
  };
  if (!route.body.empty() && has_prefix(route.body)) return true;
  for (const TemplateVariable& var : route.path.variables()) {
    if (has_prefix(var.field_path)) return true;
  }
  return false;
}

}  // namespace

std::optional<TranscodeError> TranscodeRequest(const Route& route, const std::vector<PathBinding>& bindings,
                                               std::string_view query, std::string_view body, pb::Message& request) {
  if (auto e = DecodeBody(route, body, request)) return e;
  if (auto e = FillPatchMask(route, body, request)) return e;
  for (const PathBinding& binding : bindings) {
    if (auto e = SetFieldFromStrings(request, binding.field_path, {binding.value})) {
      return TranscodeError{"type mismatch, parameter: " + binding.field_path + ", error: " + e->message};
    }
  }
  if (route.body == "*") return std::nullopt;
  std::vector<QueryParam> params;
  if (auto e = ParseQueryString(query, params)) return e;
  static const std::regex kMapKey(R"(^(.*)\[(.*)\]$)");
  for (QueryParam& param : params) {
    std::smatch match;
    if (std::regex_match(param.key, match, kMapKey)) {
      param.values.insert(param.values.begin(), match[2].str());
      param.key = match[1].str();
    }
    if (IsFiltered(route, param.key)) continue;
    if (auto e = SetFieldFromStrings(request, param.key, param.values)) return e;
  }
  return std::nullopt;
}

}  // namespace nebula::gateway
