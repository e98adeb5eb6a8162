// Response JSON as grpc-gateway v2's default marshaler, error bodies, the status table, metadata.
#include <catch2/catch.hpp>

#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>

#include <nlohmann/json.hpp>

#include "gateway/core/json_format.h"
#include "gateway/core/metadata.h"
#include "nebula/v1/api_manager.pb.h"

using namespace nebula::gateway;
using nlohmann::json;

TEST_CASE("EmitUnpopulated shape: lowerCamel, int64 strings, null messages, [] and {}, no unset oneof/optional",
          "[json]") {
  nebula::v1::App app;
  app.set_name("web");
  app.set_generation(9007199254740993);
  app.mutable_spec()->set_image("nginx");
  const json j = json::parse(MessageToGatewayJson(app));
  REQUIRE(j["name"] == "web");
  REQUIRE(j["generation"] == "9007199254740993");
  REQUIRE(j["createTime"].is_null());
  REQUIRE(j["updateTime"].is_null());
  const json& spec = j["spec"];
  REQUIRE(spec["image"] == "nginx");
  REQUIRE(spec["containersPer"].is_null());
  REQUIRE(spec["ports"] == json::array());
  REQUIRE(spec["env"] == json::object());
  REQUIRE(spec["privileged"] == false);
  REQUIRE(spec["pullPolicy"] == "PULL_POLICY_UNSPECIFIED");
  REQUIRE(spec["restartNonce"] == "0");
  REQUIRE_FALSE(spec.contains("running"));  // proto3 optional, unset
  REQUIRE(spec["resources"].is_null());

  app.mutable_spec()->set_running(false);
  app.mutable_spec()->mutable_containers_per()->set_instance(2);
  const json k = json::parse(MessageToGatewayJson(app));
  REQUIRE(k["spec"]["running"] == false);
  REQUIRE(k["spec"]["containersPer"] == json{{"instance", 2}});  // unset oneof members left out
}

TEST_CASE("nested and repeated messages get the same treatment", "[json]") {
  nebula::v1::ListAppsResponse list;
  list.add_apps()->set_name("a");
  const json j = json::parse(MessageToGatewayJson(list));
  REQUIRE(j["apps"][0]["spec"].is_null());
  REQUIRE(j["nextPageToken"] == "");
  REQUIRE(json::parse(FieldToGatewayJson(list, "apps"))[0]["name"] == "a");
  nebula::v1::UpdateAppRequest empty;
  REQUIRE(FieldToGatewayJson(empty, "app") == "{}");
}

TEST_CASE("error bodies carry details as Any JSON with @type", "[json]") {
  REQUIRE(json::parse(StatusJson(5, "Not Found")) ==
          json{{"code", 5}, {"message", "Not Found"}, {"details", json::array()}});
  google::rpc::Status status;
  google::rpc::BadRequest bad;
  auto* v = bad.add_field_violations();
  v->set_field("app.name");
  v->set_description("must be a DNS label");
  status.add_details()->PackFrom(bad);
  const json j = json::parse(StatusJson(3, "bad", status.SerializeAsString()));
  REQUIRE(j["code"] == 3);
  REQUIRE(j["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest");
  REQUIRE(j["details"][0]["fieldViolations"][0]["field"] == "app.name");
  REQUIRE(json::parse(StreamErrorJson(4, "late", {}))["error"]["code"] == 4);
  // Status messages come off the wire and may hold invalid UTF-8: replaced, never thrown.
  REQUIRE(json::parse(StatusJson(13, "bad \xff byte"))["message"] == "bad \xef\xbf\xbd byte");
}

TEST_CASE("gRPC to HTTP status table of grpc-gateway v2", "[json]") {
  const std::pair<int, int> table[] = {{0, 200},  {1, 499},  {2, 500},  {3, 400},  {4, 504},  {5, 404},
                                       {6, 409},  {7, 403},  {8, 429},  {9, 400},  {10, 409}, {11, 400},
                                       {12, 501}, {13, 500}, {14, 503}, {15, 500}, {16, 401}, {42, 500}};
  for (auto [code, http] : table) {
    INFO(code);
    REQUIRE(HttpStatusFromGrpcCode(code) == http);
  }
}

TEST_CASE("headers become metadata as in grpc-gateway's annotateContext", "[metadata]") {
  auto mapped = MapIncomingHeaders({{"authorization", "Bearer t"},
                                    {"Grpc-Metadata-Request-Id", "r1"},
                                    {"grpc-metadata-trace-bin", "aGk"},
                                    {"User-Agent", "curl"},
                                    {"X-Other", "dropped"},
                                    {"X-Forwarded-For", "10.0.0.1"},
                                    {"Grpc-Timeout", "250m"}},
                                   "gw.local", "127.0.0.1");
  REQUIRE(std::holds_alternative<IncomingCall>(mapped));
  const IncomingCall& call = std::get<IncomingCall>(mapped);
  const Metadata expected = {{"authorization", "Bearer t"},
                             {"grpcgateway-authorization", "Bearer t"},
                             {"request-id", "r1"},
                             {"trace-bin", "hi"},
                             {"grpcgateway-user-agent", "curl"},
                             {"x-forwarded-host", "gw.local"},
                             {"x-forwarded-for", "10.0.0.1, 127.0.0.1"}};
  REQUIRE(call.metadata == expected);
  REQUIRE(call.timeout == std::chrono::milliseconds(250));
  REQUIRE(std::holds_alternative<std::string>(MapIncomingHeaders({{"Grpc-Timeout", "soon"}}, "", "")));
  REQUIRE(ParseGrpcTimeout("3S") == std::chrono::seconds(3));
  REQUIRE(ParseGrpcTimeout("1H") == std::chrono::hours(1));
  REQUIRE_FALSE(ParseGrpcTimeout("3"));
  REQUIRE(OutgoingHeaders({{"x-id", "1"}, {"t-bin", "hi"}}) ==
          std::vector<Header>{{"Grpc-Metadata-x-id", "1"}, {"Grpc-Metadata-t-bin", "aGk="}});
}
