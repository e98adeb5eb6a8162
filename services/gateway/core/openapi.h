// An OpenAPI 2.0 (Swagger) document for the routes, generated from the same descriptors the gateway
// routes with, shaped like protoc-gen-openapiv2's output (definitions named <package-suffix><Message>,
// e.g. "v1App"; rpcStatus for errors). Pure.
#pragma once

#include <string>

#include "gateway/core/route_table.h"

namespace nebula::gateway {

std::string OpenApiJson(const RouteTable& routes, const std::string& title);

}  // namespace nebula::gateway
