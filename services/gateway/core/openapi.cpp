#include "gateway/core/openapi.h"

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>
#include <set>

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;
using Json = nlohmann::ordered_json;

std::string DefinitionName(const std::string& full_name, const std::string& package) {
  const std::size_t dot = package.rfind('.');
  const std::string suffix = dot == std::string::npos ? package : package.substr(dot + 1);
  std::string rest = full_name.substr(package.empty() ? 0 : package.size() + 1);
  std::string name = suffix;
  bool upper = false;
  for (char c : rest) {
    if (c == '.') continue;
    name.push_back(upper ? c : c);
  }
  (void)upper;
  return name;
}

std::string DefinitionName(const pb::Descriptor& d) { return DefinitionName(d.full_name(), d.file()->package()); }
std::string DefinitionName(const pb::EnumDescriptor& e) { return DefinitionName(e.full_name(), e.file()->package()); }

class Builder {
 public:
  Json definitions = Json::object();

  Json SchemaOf(const FD& field) {
    Json item = ScalarSchema(field);
    if (field.is_map()) {
      Json map = {{"type", "object"}, {"additionalProperties", ScalarSchema(*field.message_type()->map_value())}};
      return map;
    }
    if (field.is_repeated()) return Json{{"type", "array"}, {"items", item}};
    return item;
  }

  Json MessageRef(const pb::Descriptor& d) {
    const std::string& n = d.full_name();
    if (n == "google.protobuf.Timestamp") return {{"type", "string"}, {"format", "date-time"}};
    if (n == "google.protobuf.Duration" || n == "google.protobuf.FieldMask") return {{"type", "string"}};
    if (n == "google.protobuf.Struct") return {{"type", "object"}};
    if (n == "google.protobuf.Value") return Json::object();
    if (n == "google.protobuf.ListValue") return {{"type", "array"}, {"items", Json::object()}};
    if (n == "google.protobuf.Any") {
      AddAny();
      return {{"$ref", "#/definitions/protobufAny"}};
    }
    if (d.file()->package() == "google.protobuf" && d.field_count() == 1 && d.field(0)->name() == "value") {
      return ScalarSchema(*d.field(0));
    }
    AddMessage(d);
    return {{"$ref", "#/definitions/" + DefinitionName(d)}};
  }

  void AddMessage(const pb::Descriptor& d) {
    const std::string name = DefinitionName(d);
    if (definitions.contains(name) || in_progress_.count(name)) return;
    in_progress_.insert(name);
    Json properties = Json::object();
    for (int i = 0; i < d.field_count(); ++i) properties[d.field(i)->json_name()] = SchemaOf(*d.field(i));
    definitions[name] = {{"type", "object"}, {"properties", properties}};
    in_progress_.erase(name);
  }

  void AddAny() {
    if (definitions.contains("protobufAny")) return;
    definitions["protobufAny"] = {{"type", "object"},
                                  {"properties", {{"@type", {{"type", "string"}}}}},
                                  {"additionalProperties", Json::object()}};
  }

  void AddStatus() {
    AddAny();
    definitions["rpcStatus"] = {
        {"type", "object"},
        {"properties",
         {{"code", {{"type", "integer"}, {"format", "int32"}}},
          {"message", {{"type", "string"}}},
          {"details", {{"type", "array"}, {"items", {{"$ref", "#/definitions/protobufAny"}}}}}}}};
  }

 private:
  Json ScalarSchema(const FD& field) {
    switch (field.type()) {
      case FD::TYPE_DOUBLE: return {{"type", "number"}, {"format", "double"}};
      case FD::TYPE_FLOAT: return {{"type", "number"}, {"format", "float"}};
      case FD::TYPE_INT64:
      case FD::TYPE_SINT64:
      case FD::TYPE_SFIXED64: return {{"type", "string"}, {"format", "int64"}};
      case FD::TYPE_UINT64:
      case FD::TYPE_FIXED64: return {{"type", "string"}, {"format", "uint64"}};
      case FD::TYPE_INT32:
      case FD::TYPE_SINT32:
      case FD::TYPE_SFIXED32: return {{"type", "integer"}, {"format", "int32"}};
      case FD::TYPE_UINT32:
      case FD::TYPE_FIXED32: return {{"type", "integer"}, {"format", "int64"}};
      case FD::TYPE_BOOL: return {{"type", "boolean"}};
      case FD::TYPE_STRING: return {{"type", "string"}};
      case FD::TYPE_BYTES: return {{"type", "string"}, {"format", "byte"}};
      case FD::TYPE_ENUM: {
        const pb::EnumDescriptor& e = *field.enum_type();
        const std::string name = DefinitionName(e);
        if (!definitions.contains(name)) {
          Json values = Json::array();
          for (int i = 0; i < e.value_count(); ++i) values.push_back(e.value(i)->name());
          definitions[name] = {{"type", "string"}, {"enum", values}, {"default", e.value(0)->name()}};
        }
        return {{"$ref", "#/definitions/" + name}};
      }
      case FD::TYPE_MESSAGE:
      case FD::TYPE_GROUP: return MessageRef(*field.message_type());
    }
    return Json::object();
  }

  std::set<std::string> in_progress_;
};

// "/v1/apps/{app.name=**}:verb" → "/v1/apps/{app.name}:verb"
std::string OpenApiPath(const std::string& text) {
  std::string out;
  bool in_var = false, skipping = false;
  for (char c : text) {
    if (c == '{') in_var = true, skipping = false;
    if (in_var && c == '=') skipping = true;
    if (c == '}') in_var = false, skipping = false;
    if (!skipping) out.push_back(c);
  }
  return out;
}

bool IsBound(const Route& route, const std::string& field) {
  if (route.body == "*" || route.body == field) return true;
  for (const auto& var : route.path.variables()) {
    if (var.field_path == field || var.field_path.rfind(field + ".", 0) == 0) return true;
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string OpenApiJson(const RouteTable& routes, const std::string& title) {
  Builder builder;
  builder.AddStatus();
  Json paths = Json::object();
  std::set<std::string> tags;
  for (const Route& route : routes.routes()) {
    const pb::MethodDescriptor& m = *route.method;
    tags.insert(m.service()->name());
    Json op;
    op["operationId"] = m.service()->name() + "_" + m.name();
    Json parameters = Json::array();
    for (const auto& var : route.path.variables()) {
      parameters.push_back({{"name", var.field_path}, {"in", "path"}, {"required", true}, {"type", "string"}});
    }
    if (!route.body.empty()) {
      Json schema = route.body == "*" ? builder.MessageRef(*m.input_type())
                                      : builder.SchemaOf(*m.input_type()->FindFieldByName(route.body));
      parameters.push_back({{"name", "body"}, {"in", "body"}, {"required", true}, {"schema", schema}});
    }
    if (route.body != "*") {
      for (int i = 0; i < m.input_type()->field_count(); ++i) {
        const FD& field = *m.input_type()->field(i);
        if (IsBound(route, field.name()) || field.cpp_type() == FD::CPPTYPE_MESSAGE || field.is_map()) continue;
        Json param = {{"name", field.json_name()}, {"in", "query"}, {"required", false}};
        Json schema = builder.SchemaOf(field);
        if (field.is_repeated()) {
          param["type"] = "array";
          param["items"] = schema["items"];
          param["collectionFormat"] = "multi";
        } else if (schema.contains("$ref")) {
          param["type"] = "string";
        } else {
          for (auto& [k, v] : schema.items()) param[k] = v;
        }
        parameters.push_back(param);
      }
    }
    op["parameters"] = parameters;
    Json ok_schema = route.response_body.empty()
                         ? builder.MessageRef(*m.output_type())
                         : builder.SchemaOf(*m.output_type()->FindFieldByName(route.response_body));
    if (m.server_streaming()) {
      ok_schema = {{"type", "object"},
                   {"title", "Stream result of " + m.output_type()->full_name()},
                   {"properties", {{"result", ok_schema}, {"error", {{"$ref", "#/definitions/rpcStatus"}}}}}};
    }
    op["responses"] = {
        {"200", {{"description", "A successful response."}, {"schema", ok_schema}}},
        {"default",
         {{"description", "An unexpected error response."}, {"schema", {{"$ref", "#/definitions/rpcStatus"}}}}}};
    op["tags"] = Json::array({m.service()->name()});
    paths[OpenApiPath(route.path.text())][Lower(route.http_method)] = op;
  }
  Json doc = Json::object();
  doc["swagger"] = "2.0";
  doc["info"] = {{"title", title}, {"version", "version not set"}};
  Json tag_list = Json::array();
  for (const std::string& t : tags) tag_list.push_back({{"name", t}});
  doc["tags"] = tag_list;
  doc["consumes"] = Json::array({"application/json"});
  doc["produces"] = Json::array({"application/json"});
  doc["paths"] = paths;
  doc["definitions"] = builder.definitions;
  return doc.dump(2);
}

}  // namespace nebula::gateway
