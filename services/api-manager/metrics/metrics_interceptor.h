// Counts every gRPC call (method, status code, latency) at the server's edge, so no handler changes.
#pragma once

#include <grpcpp/support/server_interceptor.h>

#include "api-manager/metrics/metrics_registry.h"

namespace nebula::api_manager {

class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit MetricsInterceptorFactory(MetricsRegistry& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override;

 private:
  MetricsRegistry& metrics_;
};

}  // namespace nebula::api_manager
