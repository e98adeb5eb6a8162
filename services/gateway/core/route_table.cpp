#include "gateway/core/route_table.h"

#include <google/api/annotations.pb.h>
#include <google/api/http.pb.h>

#include "common/error.h"

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;

[[noreturn]] void Reject(const pb::MethodDescriptor& method, const std::string& what) {
  throw Error(ErrorCode::kInvalidArgument, "google.api.http of " + method.full_name() + ": " + what);
}

// "a.b.c" → the fields a, b, c; every step singular, every step but the last a message.
std::vector<const pb::FieldDescriptor*> ResolveFieldPath(const pb::MethodDescriptor& method, const std::string& path) {
  std::vector<const pb::FieldDescriptor*> fields;
  const pb::Descriptor* message = method.input_type();
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = path.find('.', start);
    const std::string name = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (message == nullptr) Reject(method, "path variable \"" + path + "\" traverses a non-message field");
    const pb::FieldDescriptor* field = message->FindFieldByName(name);
    if (field == nullptr) {
      Reject(method, "path variable \"" + path + "\": no field \"" + name + "\" in " + message->full_name());
    }
    if (field->is_repeated()) {
      Reject(method, "path variable \"" + path + "\" binds repeated or map field \"" + name + "\"");
    }
    fields.push_back(field);
    message = field->message_type();
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const pb::FieldDescriptor* leaf = fields.back();
  if (leaf->message_type() != nullptr && leaf->message_type()->file()->package() != "google.protobuf") {
    Reject(method, "path variable \"" + path + "\" binds message field \"" + leaf->name() + "\"");
  }
  return fields;
}

void AddRoute(const pb::MethodDescriptor& method, const google::api::HttpRule& rule, std::vector<Route>& routes) {
  Route route;
  route.method = &method;
  std::string text;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      text = rule.get();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      text = rule.put();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      text = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      text = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      text = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      route.http_method = rule.custom().kind();
      text = rule.custom().path();
      break;
    case google::api::HttpRule::PATTERN_NOT_SET: Reject(method, "a rule without a pattern");
  }
  ParseOutcome parsed = PathTemplate::Parse(text);
  if (const auto* error = std::get_if<TemplateParseError>(&parsed)) {
    Reject(method, "template \"" + text + "\": " + error->Message());
  }
  route.path = std::get<PathTemplate>(std::move(parsed));
  for (const TemplateVariable& var : route.path.variables()) {
    route.variable_fields.push_back(ResolveFieldPath(method, var.field_path));
  }
  route.body = rule.body();
  if (!route.body.empty() && route.body != "*" && method.input_type()->FindFieldByName(route.body) == nullptr) {
    Reject(method, "body \"" + route.body + "\" is not a field of " + method.input_type()->full_name());
  }
  route.response_body = rule.response_body();
  if (!route.response_body.empty() && method.output_type()->FindFieldByName(route.response_body) == nullptr) {
    Reject(method,
           "response_body \"" + route.response_body + "\" is not a field of " + method.output_type()->full_name());
  }
  routes.push_back(std::move(route));
}

}  // namespace

RouteTable RouteTable::FromServices(const pb::DescriptorPool& pool, const std::vector<std::string>& service_names) {
  RouteTable table;
  for (const std::string& name : service_names) {
    const pb::ServiceDescriptor* service = pool.FindServiceByName(name);
    if (service == nullptr) throw Error(ErrorCode::kInvalidArgument, "unknown service " + name);
    for (int m = 0; m < service->method_count(); ++m) {
      const pb::MethodDescriptor& method = *service->method(m);
      if (!method.options().HasExtension(google::api::http)) continue;
      const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
      AddRoute(method, rule, table.routes_);
      for (const google::api::HttpRule& extra : rule.additional_bindings()) {
        if (extra.additional_bindings_size() > 0) Reject(method, "nested additional_bindings");
        AddRoute(method, extra, table.routes_);
      }
    }
  }
  return table;
}

RouteLookup RouteTable::Lookup(std::string_view http_method, std::string_view path) const {
  RouteLookup result;
  if (path.empty() || path[0] != '/') {
    result.status = RouteStatus::kBadPath;
    result.error = "path must start with \"/\"";
    return result;
  }
  // grpc-gateway prepends each handler, so the last registered binding is tried first.
  for (auto it = routes_.rbegin(); it != routes_.rend(); ++it) {
    if (it->http_method != http_method) continue;
    MatchOutcome outcome = it->path.Match(path);
    if (auto* match = std::get_if<PathMatch>(&outcome)) {
      result.status = RouteStatus::kFound;
      result.route = &*it;
      result.bindings = std::move(match->bindings);
      return result;
    }
    if (auto* bad = std::get_if<MalformedEscape>(&outcome)) {
      result.status = RouteStatus::kBadPath;
      result.error = "malformed percent-escape \"" + bad->sequence + "\" in path";
      return result;
    }
  }
  for (const Route& route : routes_) {
    if (route.http_method == http_method) continue;
    if (std::holds_alternative<PathMatch>(route.path.Match(path))) {
      result.status = RouteStatus::kMethodNotAllowed;
      return result;
    }
  }
  result.status = RouteStatus::kNotFound;
  return result;
}

}  // namespace nebula::gateway
