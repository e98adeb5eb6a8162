// Conformance: HTTP requests through the real gateway (Beast server, transcoder, generic-stub
// forwarder) to an in-process echo backend; every rule is checked as status + JSON + what the gRPC
// server received.
#include <utility>  // before Asio/Beast

#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/security/credentials.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "echo_backend.h"
#include "gateway/server/gateway_metrics.h"
#include "gateway/server/grpc_forwarder.h"
#include "gateway/server/http_server.h"
#include "http_test_client.h"
#include "nebula/v1/api_manager.pb.h"
#include "gateway/core/openapi.h"
#include "gateway/server/rest_gateway.h"
#include "gateway/core/scalar_parse.h"

using namespace nebula::gateway;
using namespace nebula::gateway::testing;
using nlohmann::json;

namespace {

constexpr std::uint64_t kBodyLimit = 64 * 1024;

struct Gateway {
  EchoBackend backend;
  RouteTable routes = RouteTable::FromServices(*google::protobuf::DescriptorPool::generated_pool(),
                                               {"nebula.v1.ApiManager", "nebula.v1.Identity", "nebula.v1.WorkerAgent"});
  GatewayMetrics metrics;
  GrpcForwarder forwarder{grpc::CreateChannel(backend.address(), grpc::InsecureChannelCredentials())};
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<RestGateway> gateway;

  Gateway() {
    gateway = std::make_unique<RestGateway>(routes, forwarder, metrics, OpenApiJson(routes, "nebula/v1"),
                                            [this] { return server ? server->open_connections() : 0; });
    HttpServerOptions options;
    options.port = 0;
    options.body_limit = kBodyLimit;
    options.idle_timeout = std::chrono::seconds(5);
    server = std::make_unique<HttpServer>(
        options, [this](HttpRequest& r, std::shared_ptr<Exchange> e) { gateway->Handle(r, std::move(e)); });
    server->Start();
  }
  ~Gateway() { server->Stop(); }
};

Gateway& Gw() {
  static Gateway gateway;
  return gateway;
}

HttpResult Send(const std::string& method, const std::string& target, const std::string& body = "",
                const std::map<std::string, std::string>& headers = {}) {
  return SendHttp(Gw().server->port(), method, target, body, headers);
}

template <class Request>
Request Echoed(const HttpResult& r) {
  auto it = r.headers.find("grpc-metadata-echo-request-bin");
  REQUIRE(it != r.headers.end());
  Request request;
  REQUIRE(request.ParseFromString(DecodeBase64(it->second).value()));
  return request;
}

json Error(int code, const std::string& message) {
  return {{"code", code}, {"message", message}, {"details", json::array()}};
}

}  // namespace

TEST_CASE("routing: 200, 404, 501 for a known path with another method, 400 for a broken escape", "[conformance]") {
  HttpResult ok = Send("GET", "/v1/apps/web");
  REQUIRE(ok.status == 200);
  REQUIRE(ok.headers["content-type"] == "application/json");
  REQUIRE(json::parse(ok.body) == json{{"name", "web"},
                                       {"spec", nullptr},
                                       {"generation", "9007199254740993"},
                                       {"createTime", nullptr},
                                       {"updateTime", nullptr}});
  HttpResult missing = Send("GET", "/v2/nothing");
  REQUIRE(missing.status == 404);
  REQUIRE(json::parse(missing.body) == Error(5, "Not Found"));
  HttpResult wrong_method = Send("DELETE", "/v1/apps");
  REQUIRE(wrong_method.status == 501);
  REQUIRE(json::parse(wrong_method.body) == Error(12, "Method Not Allowed"));
  HttpResult bad = Send("GET", "/v1/apps/%zz");
  REQUIRE(bad.status == 400);
  REQUIRE(json::parse(bad.body) == Error(3, "Bad Request"));
  // Without a verb in the template {name} captures "web:bogus", so GET's route matches: 501, not 404.
  REQUIRE(Send("POST", "/v1/apps/web:bogus", "{}").status == 501);
  REQUIRE(Send("POST", "/v1/nothing:bogus", "{}").status == 404);
}

TEST_CASE("transcoding is observable at the gRPC server", "[conformance]") {
  SECTION("path variable with %2F decodes in a single segment") {
    REQUIRE(Echoed<nebula::v1::GetAppRequest>(Send("GET", "/v1/apps/a%2Fb")).name() == "a/b");
  }
  SECTION("body: app, both JSON names, unknown fields ignored") {
    HttpResult r =
        Send("POST", "/v1/apps", R"({"name":"web","unknown":true,"spec":{"image":"x","restart_nonce":"3"}})");
    REQUIRE(r.status == 200);
    auto req = Echoed<nebula::v1::CreateAppRequest>(r);
    REQUIRE(req.app().name() == "web");
    REQUIRE(req.app().spec().restart_nonce() == 3);
  }
  SECTION("PUT and PATCH (additional binding): path overrides the body") {
    for (const char* method : {"PUT", "PATCH"}) {
      HttpResult r = Send(method, "/v1/apps/from-path?update_mask=spec.image&expectedGeneration=2",
                          R"({"name":"from-body","spec":{"image":"y"}})");
      REQUIRE(r.status == 200);
      auto req = Echoed<nebula::v1::UpdateAppRequest>(r);
      REQUIRE(req.app().name() == "from-path");
      REQUIRE(req.app().spec().image() == "y");
      REQUIRE(req.update_mask().paths(0) == "spec.image");
      REQUIRE(req.expected_generation() == 2);
    }
  }
  SECTION("body * and no query") {
    auto req = Echoed<nebula::v1::StartAppRequest>(
        Send("POST", "/v1/apps/w:start?expected_generation=9", R"({"expectedGeneration":"5"})"));
    REQUIRE(req.name() == "w");
    REQUIRE(req.expected_generation() == 5);
  }
  SECTION("query parameters") {
    auto req = Echoed<nebula::v1::ListAppsRequest>(Send("GET", "/v1/apps?pageSize=7&page_token=t%20k&ignored=1"));
    REQUIRE(req.page_size() == 7);
    REQUIRE(req.page_token() == "t k");
  }
  SECTION("form POST falls back to GET with form values as query") {
    auto req =
        Echoed<nebula::v1::ListAppRevisionsRequest>(Send("POST", "/v1/apps/f/revisions?page_size=3", "page_token=t",
                                                         {{"Content-Type", "application/x-www-form-urlencoded"}}));
    REQUIRE(req.name() == "f");
    REQUIRE(req.page_size() == 3);
    REQUIRE(req.page_token() == "t");
    // POST /v1/apps is CreateApp itself: no fallback, and the form body is not JSON.
    REQUIRE(Send("POST", "/v1/apps", "a=1", {{"Content-Type", "application/x-www-form-urlencoded"}}).status == 400);
  }
}

TEST_CASE("bad input answers 400 naming the problem", "[conformance]") {
  HttpResult malformed = Send("POST", "/v1/apps", R"({"name": )");
  REQUIRE(malformed.status == 400);
  json body = json::parse(malformed.body);
  REQUIRE(body["code"] == 3);
  REQUIRE_THAT(body["message"].get<std::string>(), Catch::Contains("malformed JSON body"));
  HttpResult type = Send("GET", "/v1/apps?page_size=x");
  REQUIRE(type.status == 400);
  REQUIRE(json::parse(type.body)["message"] ==
          "parsing field \"page_size\": strconv.ParseInt: parsing \"x\": invalid syntax");
  REQUIRE(Send("GET", "/v1/apps", "", {{"Grpc-Timeout", "soon"}}).status == 400);
  REQUIRE(Send("POST", "/v1/apps", std::string(kBodyLimit + 1, ' ')).status == 413);
}

TEST_CASE("gRPC errors: status table, body with Any details, WWW-Authenticate", "[conformance]") {
  const std::pair<int, int> cases[] = {{5, 404}, {9, 400}, {1, 499}, {14, 503}, {16, 401}, {7, 403}, {10, 409}};
  for (auto [code, http] : cases) {
    INFO(code);
    HttpResult r = Send("GET", "/v1/apps/x", "", {{"Grpc-Metadata-X-Fail-Code", std::to_string(code)}});
    REQUIRE(r.status == http);
    json body = json::parse(r.body);
    REQUIRE(body["code"] == code);
    REQUIRE(body["message"] == "echo failure " + std::to_string(code));
    REQUIRE(body["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest");
    REQUIRE(body["details"][0]["fieldViolations"][0]["field"] == "name");
    if (code == 16) REQUIRE(r.headers["www-authenticate"] == "echo failure 16");
  }
}

TEST_CASE("headers to metadata and back", "[conformance]") {
  HttpResult r = Send("GET", "/v1/apps/x", "",
                      {{"Authorization", "Bearer abc.def"},
                       {"Grpc-Metadata-Request-Id", "r-1"},
                       {"X-Forwarded-For", "10.1.2.3"},
                       {"X-Not-Forwarded", "no"},
                       {"Grpc-Timeout", "5S"}});
  REQUIRE(r.status == 200);
  REQUIRE(r.headers["grpc-metadata-echo-md-authorization"] == "Bearer abc.def");
  REQUIRE(r.headers["grpc-metadata-echo-md-request-id"] == "r-1");
  REQUIRE(r.headers["grpc-metadata-echo-md-x-forwarded-for"] == "10.1.2.3, 127.0.0.1");
  REQUIRE(r.headers["grpc-metadata-echo-md-x-forwarded-host"] == "gateway.test");
  REQUIRE(r.headers.count("grpc-metadata-echo-md-x-not-forwarded") == 0);
}

TEST_CASE("server streaming as newline-delimited results, errors in-band or up front", "[conformance]") {
  auto lines = [](const std::string& body) {
    std::vector<json> out;
    std::size_t start = 0;
    for (std::size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1) {
      out.push_back(json::parse(body.substr(start, nl - start)));
    }
    REQUIRE(start == body.size());
    return out;
  };
  HttpResult ok = Send("GET", "/v1/apps/w/status:watch");
  REQUIRE(ok.status == 200);
  REQUIRE(ok.headers["transfer-encoding"] == "chunked");
  auto ok_lines = lines(ok.body);
  REQUIRE(ok_lines.size() == 2);
  REQUIRE(ok_lines[0]["result"]["generation"] == "9007199254740993");
  REQUIRE(ok_lines[0]["result"]["rollout"] == "ROLLOUT_UNSPECIFIED");
  REQUIRE(ok_lines[0]["result"]["failingHosts"] == json::array());

  HttpResult late = Send("GET", "/v1/apps/w/status:watch", "", {{"Grpc-Metadata-X-Fail-After", "1"}});
  REQUIRE(late.status == 200);
  auto late_lines = lines(late.body);
  REQUIRE(late_lines.size() == 3);
  REQUIRE(late_lines[2]["error"]["code"] == 4);
  REQUIRE(late_lines[2]["error"]["message"] == "echo failure 4");

  HttpResult early = Send("GET", "/v1/apps/w/status:watch", "", {{"Grpc-Metadata-X-Fail-Code", "5"}});
  REQUIRE(early.status == 404);
  REQUIRE(json::parse(early.body)["code"] == 5);
}

TEST_CASE("healthz, metrics, openapi", "[conformance]") {
  HttpResult health = Send("GET", "/healthz");
  REQUIRE(health.status == 200);
  REQUIRE(json::parse(health.body)["status"] == "SERVING");
  Send("GET", "/v1/apps/m");
  HttpResult metrics = Send("GET", "/metrics");
  REQUIRE(metrics.status == 200);
  REQUIRE_THAT(metrics.body,
               Catch::Contains("nebula_gateway_requests_total{rpc=\"nebula.v1.ApiManager.GetApp\",code=\"200\"}"));
  REQUIRE_THAT(metrics.body, Catch::Contains("nebula_gateway_open_connections"));
  json openapi = json::parse(Send("GET", "/openapi.json").body);
  REQUIRE(openapi["swagger"] == "2.0");
  REQUIRE(openapi["paths"]["/v1/apps/{name}"]["get"]["operationId"] == "ApiManager_GetApp");
  REQUIRE(openapi["paths"]["/v1/apps/{app.name}"].contains("patch"));
  REQUIRE(openapi["definitions"]["v1App"]["properties"]["generation"]["format"] == "int64");
  REQUIRE(openapi["paths"].contains("/v1/workers/{id}"));
}

TEST_CASE("keep-alive and many concurrent connections on two threads", "[conformance]") {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  constexpr int kConnections = 200;
  std::vector<std::unique_ptr<beast::tcp_stream>> streams;
  for (int i = 0; i < kConnections; ++i) {
    auto s = std::make_unique<beast::tcp_stream>(ioc);
    s->connect({boost::asio::ip::make_address("127.0.0.1"), Gw().server->port()});
    streams.push_back(std::move(s));
  }
  // Accepted asynchronously: all of them are open at once, on the server's two threads.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (Gw().server->open_connections() < kConnections && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(Gw().server->open_connections() >= kConnections);
  for (int round = 0; round < 2; ++round) {  // two requests per connection: keep-alive
    for (int i = 0; i < kConnections; ++i) {
      http::request<http::string_body> req{http::verb::get, "/v1/apps/c" + std::to_string(i), 11};
      req.set(http::field::host, "x");
      http::write(*streams[i], req);
    }
    for (int i = 0; i < kConnections; ++i) {
      beast::flat_buffer buffer;
      http::response<http::string_body> res;
      http::read(*streams[i], buffer, res);
      REQUIRE(res.result_int() == 200);
      REQUIRE(json::parse(res.body())["name"] == "c" + std::to_string(i));
    }
  }
}
