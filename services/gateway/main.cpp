// nebula-gateway: the REST/JSON face of the gRPC services (docs/architecture.md "REST gateway"). Routes come from the
// google.api.http rules of every compiled service that has them, so a new RPC needs no code here.
#include <utility>  // before Asio/Beast (Boost 1.74 + GCC 12)

#include <CLI/CLI.hpp>
#include <google/protobuf/descriptor.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>
#include <spdlog/spdlog.h>

#include <csignal>

#include "common/error.h"
#include "common/service_flags.h"
#include "gateway/gateway_flags.h"
#include "gateway/server/gateway_metrics.h"
#include "gateway/server/grpc_forwarder.h"
#include "gateway/server/http_server.h"
#include "common/logging.h"
#include "gateway/core/openapi.h"
#include "gateway/server/rest_gateway.h"
#include "gateway/core/route_table.h"

namespace {

using namespace nebula::gateway;

// Every service of the compiled descriptors that carries at least one google.api.http rule.
std::vector<std::string> AnnotatedServices() {
  const char* const kFiles[] = {"nebula/v1/api_manager.proto", "nebula/v1/identity.proto",
                                "nebula/v1/worker_agent.proto"};
  std::vector<std::string> services;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const char* name : kFiles) {
    const google::protobuf::FileDescriptor* file = pool->FindFileByName(name);
    if (file == nullptr) continue;
    for (int s = 0; s < file->service_count(); ++s) services.push_back(file->service(s)->full_name());
  }
  return services;
}

int Serve(const GatewayFlags& flags) {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts, so all inherit it

  const RouteTable routes =
      RouteTable::FromServices(*google::protobuf::DescriptorPool::generated_pool(), AnnotatedServices());
  spdlog::info("{} REST routes", routes.routes().size());
  GatewayMetrics metrics;
  GrpcForwarder forwarder(grpc::CreateChannel(flags.upstream, grpc::InsecureChannelCredentials()));

  HttpServerOptions options;
  const std::size_t colon = flags.listen.rfind(':');
  if (colon == std::string::npos) throw nebula::Error(nebula::ErrorCode::kInvalidArgument, "--listen needs host:port");
  options.host = flags.listen.substr(0, colon);
  if (options.host.size() > 1 && options.host.front() == '[')
    options.host = options.host.substr(1, options.host.size() - 2);
  options.port = static_cast<std::uint16_t>(std::stoi(flags.listen.substr(colon + 1)));
  options.threads = flags.threads;
  options.body_limit = flags.max_body_bytes;
  options.idle_timeout = std::chrono::seconds(flags.idle_timeout_seconds);
  options.read_timeout = std::chrono::seconds(flags.read_timeout_seconds);
  options.tls_cert_file = flags.tls_cert;
  options.tls_key_file = flags.tls_key;

  HttpServer* server_ptr = nullptr;
  RestGateway gateway(routes, forwarder, metrics, OpenApiJson(routes, "nebula/v1"),
                      [&server_ptr] { return server_ptr ? server_ptr->open_connections() : 0; });
  HttpServer server(options, [&gateway](HttpRequest& request, std::shared_ptr<Exchange> exchange) {
    gateway.Handle(request, std::move(exchange));
  });
  server_ptr = &server;
  server.Start();
  spdlog::info("listening on {}:{} ({}), forwarding to {}", options.host, server.port(),
               flags.tls_cert.empty() ? "http" : "https", flags.upstream);
  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("signal {}: shutting down", signal);
  server.Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nebula-gateway: grpc-gateway (v2) compatible REST/JSON gateway for the Nebula gRPC services"};
  GatewayFlags flags;
  AddGatewayFlags(app, flags);
  CLI11_PARSE(app, argc, argv);
  nebula::SetUpLogging("nebula-gateway", flags.log_level, flags.log_format);
  spdlog::info("{}", nebula::DescribeConfigFile(app));
  try {
    return Serve(flags);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
