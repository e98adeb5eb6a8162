#include "gateway/server/rest_gateway.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/arena.h>
#include <google/protobuf/message.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>

#include "gateway/core/json_format.h"
#include "gateway/core/metadata.h"
#include "gateway/core/transcode.h"

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;

http::response<http::string_body> JsonResponse(int status, std::string body, const Metadata& upstream_headers = {}) {
  http::response<http::string_body> response;
  response.version(11);
  response.result(static_cast<unsigned>(status));
  response.set(http::field::content_type, "application/json");
  for (const Header& h : OutgoingHeaders(upstream_headers)) response.insert(h.name, h.value);
  response.body() = std::move(body);
  return response;
}

http::response<http::string_body> ErrorResponse(int grpc_code, const std::string& message,
                                                std::string_view details_bin = {}, const Metadata& headers = {}) {
  auto response = JsonResponse(HttpStatusFromGrpcCode(grpc_code), StatusJson(grpc_code, message, details_bin), headers);
  if (grpc_code == 16) response.set(http::field::www_authenticate, message);
  return response;
}

std::string RpcPath(const pb::MethodDescriptor& method) {
  return "/" + method.service()->full_name() + "/" + method.name();
}

}  // namespace

RestGateway::RestGateway(const RouteTable& routes, GrpcForwarder& forwarder, GatewayMetrics& metrics,
                         std::string openapi_json, std::function<std::int64_t()> open_connections)
    : routes_(routes),
      forwarder_(forwarder),
      metrics_(metrics),
      openapi_json_(std::move(openapi_json)),
      open_connections_(std::move(open_connections)) {}

void RestGateway::Handle(HttpRequest& request, std::shared_ptr<Exchange> exchange) {
  const auto start = std::chrono::steady_clock::now();
  auto record = [this, start](std::string_view rpc, int status) {
    metrics_.RecordRequest(rpc, status,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  };
  auto reply = [&](http::response<http::string_body> response, std::string_view rpc = {}) {
    record(rpc, static_cast<int>(response.result_int()));
    exchange->Reply(std::move(response));
  };
  auto& message = request.message;
  const std::string target(message.target());
  const std::size_t question = target.find('?');
  const std::string path = target.substr(0, question);
  std::string query = question == std::string::npos ? "" : target.substr(question + 1);
  std::string method(message.method_string());
  std::string body = std::move(message.body());

  if (method == "GET" && path == "/healthz") return reply(JsonResponse(200, R"({"status":"SERVING"})"));
  if (method == "GET" && path == "/openapi.json") return reply(JsonResponse(200, openapi_json_));
  if (method == "GET" && path == "/metrics") {
    auto response = JsonResponse(200, metrics_.Render(open_connections_ ? open_connections_() : 0));
    response.set(http::field::content_type, "text/plain; version=0.0.4");
    return reply(std::move(response));
  }

  // grpc-gateway's "path length fallback" for form POSTs: X-HTTP-Method-Override picks the method, and
  // a path only GET knows falls back to GET; either way the form values act as query parameters.
  const bool form_post = method == "POST" && message[http::field::content_type] == "application/x-www-form-urlencoded";
  auto form_to_query = [&] {
    query += (query.empty() ? "" : "&") + body;
    body.clear();
  };
  if (auto override = message["X-HTTP-Method-Override"]; form_post && !override.empty()) {
    method = std::string(override);
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    form_to_query();
  }
  RouteLookup lookup = routes_.Lookup(method, path);
  if (lookup.status == RouteStatus::kMethodNotAllowed && form_post && method == "POST") {
    RouteLookup as_get = routes_.Lookup("GET", path);
    if (as_get.status == RouteStatus::kFound) {
      lookup = std::move(as_get);
      form_to_query();
    }
  }
  switch (lookup.status) {
    case RouteStatus::kNotFound: return reply(ErrorResponse(5, "Not Found"));
    case RouteStatus::kMethodNotAllowed: return reply(ErrorResponse(12, "Method Not Allowed"));
    case RouteStatus::kBadPath: return reply(ErrorResponse(3, "Bad Request"));
    case RouteStatus::kFound: break;
  }
  const Route& route = *lookup.route;
  const pb::MethodDescriptor& rpc = *route.method;
  if (rpc.client_streaming()) return reply(ErrorResponse(12, "client streaming is not supported"), rpc.full_name());

  const pb::Message* prototype = pb::MessageFactory::generated_factory()->GetPrototype(rpc.input_type());
  std::unique_ptr<pb::Message> grpc_request(prototype->New());
  if (auto error = TranscodeRequest(route, lookup.bindings, query, body, *grpc_request)) {
    return reply(ErrorResponse(3, error->message), rpc.full_name());
  }
  std::vector<Header> headers;
  for (const auto& field : message) headers.push_back({std::string(field.name_string()), std::string(field.value())});
  auto mapped = MapIncomingHeaders(headers, std::string(message[http::field::host]), request.remote_ip);
  if (auto* error = std::get_if<std::string>(&mapped)) return reply(ErrorResponse(3, *error), rpc.full_name());
  const IncomingCall& call = std::get<IncomingCall>(mapped);
  if (rpc.server_streaming()) return ForwardStream(route, std::move(grpc_request), call, exchange, record);
  Forward(route, std::move(grpc_request), call, exchange, record);
}

void RestGateway::Forward(const Route& route, std::unique_ptr<pb::Message> request, const IncomingCall& call,
                          std::shared_ptr<Exchange> exchange, std::function<void(std::string_view, int)> record) {
  const pb::MethodDescriptor* rpc = route.method;
  const Route* route_ptr = &route;
  forwarder_.Unary(
      RpcPath(*rpc), request->SerializeAsString(), call, [rpc, route_ptr, exchange, record](UpstreamResult result) {
        http::response<http::string_body> response;
        try {
          if (!result.status.ok()) {
            response = ErrorResponse(result.status.error_code(), result.status.error_message(),
                                     result.status.error_details(), result.headers);
          } else {
            // An arena: a reply is a tree of small allocations freed all at once.
            alignas(8) char first_block[8192];
            pb::ArenaOptions arena_options;
            arena_options.initial_block = first_block;
            arena_options.initial_block_size = sizeof first_block;
            pb::Arena arena(arena_options);
            pb::Message* reply = pb::MessageFactory::generated_factory()->GetPrototype(rpc->output_type())->New(&arena);
            if (!reply->ParseFromString(result.response)) {
              response = ErrorResponse(13, "cannot parse the upstream response as " + rpc->output_type()->full_name());
            } else {
              const std::size_t reserve = 2 * result.response.size() + 256;
              std::string json = route_ptr->response_body.empty()
                                     ? MessageToGatewayJson(*reply, reserve)
                                     : FieldToGatewayJson(*reply, route_ptr->response_body, reserve);
              response = JsonResponse(200, std::move(json), result.headers);
            }
          }
        } catch (const std::exception& e) {  // never let a reply kill gRPC's callback thread
          spdlog::error("{}: cannot build the reply: {}", rpc->full_name(), e.what());
          response = ErrorResponse(13, "cannot build the reply");
        }
        record(rpc->full_name(), static_cast<int>(response.result_int()));
        exchange->Reply(std::move(response));
      });
}

namespace {

// Touched by gRPC's callbacks, which run one at a time per call, except `upstream`, which is set
// after the call started (hence the mutex).
struct StreamState {
  bool started = false;
  bool client_gone = false;
  std::mutex mutex;
  std::shared_ptr<UpstreamStream> upstream;

  void Cancel() {
    std::lock_guard lock(mutex);
    if (upstream) upstream->Cancel();
  }
};

http::response<http::empty_body> StreamHead(const Metadata& headers) {
  http::response<http::empty_body> head;
  head.version(11);
  head.result(http::status::ok);
  head.set(http::field::content_type, "application/json");
  for (const Header& h : OutgoingHeaders(headers)) head.insert(h.name, h.value);
  return head;
}

}  // namespace

void RestGateway::ForwardStream(const Route& route, std::unique_ptr<pb::Message> request, const IncomingCall& call,
                                std::shared_ptr<Exchange> exchange, std::function<void(std::string_view, int)> record) {
  const pb::MethodDescriptor* rpc = route.method;
  auto state = std::make_shared<StreamState>();
  StreamCallbacks callbacks;
  callbacks.on_message = [rpc, exchange, state](std::string bytes, const Metadata& headers,
                                                std::function<void()> read_next) {
    if (state->client_gone) return read_next();
    std::unique_ptr<pb::Message> reply(
        pb::MessageFactory::generated_factory()->GetPrototype(rpc->output_type())->New());
    std::string line;
    try {
      line = reply->ParseFromString(bytes) ? StreamResultJson(*reply)
                                           : StreamErrorJson(13, "cannot parse the upstream response", {});
    } catch (const std::exception& e) {  // a message protojson cannot print either
      spdlog::error("{}: cannot print a stream message: {}", rpc->full_name(), e.what());
      line = StreamErrorJson(13, "cannot print the upstream response", {});
    }
    line += "\n";
    auto after_write = [state, read_next](bool ok) {
      if (!ok) {
        state->client_gone = true;
        state->Cancel();
      }
      read_next();
    };
    if (!state->started) {
      state->started = true;
      exchange->BeginStream(StreamHead(headers), [exchange, line = std::move(line), after_write](bool ok) mutable {
        if (!ok) return after_write(false);
        exchange->WriteChunk(std::move(line), after_write);
      });
    } else {
      exchange->WriteChunk(std::move(line), after_write);
    }
  };
  callbacks.on_done = [rpc, exchange, state, record](UpstreamResult result) {
    const grpc::Status& status = result.status;
    if (!state->started) {
      if (status.ok()) {
        record(rpc->full_name(), 200);
        exchange->BeginStream(StreamHead(result.headers), [exchange](bool) { exchange->EndStream(); });
      } else {
        auto response =
            ErrorResponse(status.error_code(), status.error_message(), status.error_details(), result.headers);
        record(rpc->full_name(), static_cast<int>(response.result_int()));
        exchange->Reply(std::move(response));
      }
      return;
    }
    record(rpc->full_name(), 200);
    if (status.ok() || state->client_gone) return exchange->EndStream();
    exchange->WriteChunk(StreamErrorJson(status.error_code(), status.error_message(), status.error_details()) + "\n",
                         [exchange](bool) { exchange->EndStream(); });
  };
  auto upstream = forwarder_.ServerStream(RpcPath(*rpc), request->SerializeAsString(), call, std::move(callbacks));
  std::lock_guard lock(state->mutex);
  state->upstream = std::move(upstream);
}

}  // namespace nebula::gateway
