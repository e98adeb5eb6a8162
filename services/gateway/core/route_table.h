// Routes built from the google.api.http options of compiled services, looked up the way grpc-gateway
// v2's ServeMux does: per HTTP method, the binding registered last wins; a path that only another
// method knows is "method not allowed" (answered 501 by grpc-gateway), anything else "not found".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/descriptor.h>

#include "gateway/core/path_template.h"

namespace nebula::gateway {

struct Route {
  const google::protobuf::MethodDescriptor* method = nullptr;
  std::string http_method;  // "GET", "POST", ... or a custom kind, as written in the rule
  PathTemplate path;
  std::string body;           // "" (none), "*" or a top-level request field
  std::string response_body;  // "" (whole response) or a top-level response field
  // Per path variable, the fields from the request message down to the bound leaf.
  std::vector<std::vector<const google::protobuf::FieldDescriptor*>> variable_fields;
};

enum class RouteStatus {
  kFound,
  kNotFound,          // 404 {"code":5,"message":"Not Found"}
  kMethodNotAllowed,  // 501 {"code":12,"message":"Method Not Allowed"}
  kBadPath,           // 400: no leading "/" or a broken percent-escape in a bound segment
};

struct RouteLookup {
  RouteStatus status = RouteStatus::kNotFound;
  const Route* route = nullptr;       // set when kFound
  std::vector<PathBinding> bindings;  // set when kFound
  std::string error;                  // set when kBadPath
};

class RouteTable {
 public:
  // Reads every method's google.api.http rule (and its additional_bindings) of the named services.
  // Throws nebula::Error(kInvalidArgument) naming the method for an unknown service, a template that
  // does not parse, a path variable that does not name a singular field, or a bad body/response_body.
  static RouteTable FromServices(const google::protobuf::DescriptorPool& pool,
                                 const std::vector<std::string>& service_names);

  // `path` is the raw request path without the query string.
  RouteLookup Lookup(std::string_view http_method, std::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;  // registration order (proto order, primary binding first)
};

}  // namespace nebula::gateway
