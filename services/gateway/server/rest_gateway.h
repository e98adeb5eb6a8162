// The gateway's request flow: route → transcode → forward → JSON, plus /healthz, /metrics and
// /openapi.json. The decisions live in core/ (pure); this is the glue between the HTTP server and
// the gRPC forwarder.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gateway/server/gateway_metrics.h"
#include "gateway/server/grpc_forwarder.h"
#include "gateway/server/http_server.h"
#include "gateway/core/route_table.h"

namespace nebula::gateway {

class RestGateway {
 public:
  RestGateway(const RouteTable& routes, GrpcForwarder& forwarder, GatewayMetrics& metrics, std::string openapi_json,
              std::function<std::int64_t()> open_connections);

  void Handle(HttpRequest& request, std::shared_ptr<Exchange> exchange);

 private:
  void Forward(const Route& route, std::unique_ptr<google::protobuf::Message> request, const IncomingCall& call,
               std::shared_ptr<Exchange> exchange, std::function<void(std::string_view, int)> record);
  void ForwardStream(const Route& route, std::unique_ptr<google::protobuf::Message> request, const IncomingCall& call,
                     std::shared_ptr<Exchange> exchange, std::function<void(std::string_view, int)> record);

  const RouteTable& routes_;
  GrpcForwarder& forwarder_;
  GatewayMetrics& metrics_;
  std::string openapi_json_;
  std::function<std::int64_t()> open_connections_;
};

}  // namespace nebula::gateway
