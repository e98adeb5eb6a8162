// nebula-gateway against a real api-manager (the test stack), and side by side with the real
// grpc-gateway v2.33.0 built from the same protos: the same request corpus through both must give
// equal status codes and equal (parsed) JSON.
#include <utility>  // before Asio/Beast

#include <catch2/catch.hpp>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "http_test_client.h"
#include "stack_fixture.h"

using namespace nebula::gateway::testing;
using nebula::testing::BackgroundProcess;
using nlohmann::json;

namespace {

struct Gateways {
  const nebula::testing::StackInfo& stack = nebula::testing::SharedStack();
  int ours_port = nebula::testing::TestPort(0);
  int reference_port = nebula::testing::TestPort(1);
  std::unique_ptr<BackgroundProcess> ours;
  std::unique_ptr<BackgroundProcess> reference;

  Gateways() {
    const std::string reference_bin = std::string(NEBULA_REFERENCE_GATEWAY_DIR) + "/reference-gateway";
    if (!std::filesystem::exists(reference_bin)) {
      auto built = nebula::testing::Run(
          {"bash", NEBULA_REFERENCE_GATEWAY_SCRIPT, NEBULA_PROTO_ROOT, NEBULA_REFERENCE_GATEWAY_DIR, reference_bin}, {},
          std::chrono::seconds(600));
      INFO(built.out << built.err);
      REQUIRE(built.exit_code == 0);
    }
    ours = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{stack.bin_dir + "/nebula-gateway", "--listen",
                                 "127.0.0.1:" + std::to_string(ours_port), "--upstream", stack.endpoint},
        std::map<std::string, std::string>{}, stack.state_dir + "/gateway-ours.log");
    reference = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{reference_bin, "--listen", "127.0.0.1:" + std::to_string(reference_port), "--upstream",
                                 stack.endpoint},
        std::map<std::string, std::string>{}, stack.state_dir + "/gateway-reference.log");
    for (int port : {ours_port, reference_port}) {
      const bool up = nebula::testing::Eventually(
          [&] {
            try {
              return SendHttp(port, "GET", "/v1/apps").status == 200;
            } catch (const std::exception&) {
              return false;
            }
          },
          std::chrono::seconds(30));
      INFO("port " << port << "\n" << ours->LogTail() << "\n" << reference->LogTail());
      REQUIRE(up);
    }
  }
};

Gateways& Gw() {
  static Gateways gateways;
  return gateways;
}

// Server-made values that differ between two creations of equal objects.
json WithoutTimes(json j) {
  if (j.is_object()) {
    for (const char* key : {"createTime", "updateTime", "time"}) j.erase(key);
    for (auto& [k, v] : j.items()) v = WithoutTimes(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = WithoutTimes(v);
  }
  return j;
}

// Our vendored google/rpc/error_details.proto predates BadRequest.FieldViolation's reason (3) and
// localized_message (4); grpc-gateway's newer genproto emits them unpopulated. We cannot print fields
// our descriptors do not have, so those two are dropped from the reference when they are empty.
json WithoutNewerDetailFields(json j) {
  if (j.is_object() && j.contains("details") && j["details"].is_array()) {
    for (auto& d : j["details"]) {
      if (!d.contains("fieldViolations")) continue;
      for (auto& v : d["fieldViolations"]) {
        if (v.contains("reason") && v["reason"] == "") v.erase("reason");
        if (v.contains("localizedMessage") && v["localizedMessage"].is_null()) v.erase("localizedMessage");
      }
    }
  }
  return j;
}

// A body is either one JSON value or newline-delimited ones (server streaming).
json Parse(const std::string& body) {
  if (body.empty()) return json();
  try {
    return json::parse(body);
  } catch (const json::parse_error&) {
    json lines = json::array();
    std::size_t start = 0;
    for (std::size_t nl; (nl = body.find('\n', start)) != std::string::npos; start = nl + 1) {
      lines.push_back(json::parse(body.substr(start, nl - start)));
    }
    return lines;
  }
}

struct Case {
  std::string method;
  std::string target;
  std::string body;
  bool compare_message = true;  // false: gateway-made error texts (ours quote protobuf, Go quotes protojson)
};

void Compare(const Case& c, const std::string& ours_name = "", const std::string& reference_name = "") {
  std::string ours_target = c.target, ours_body = c.body, ref_target = c.target, ref_body = c.body;
  auto substitute = [](std::string s, const std::string& name) {
    for (std::size_t at; (at = s.find("@NAME@")) != std::string::npos;) s.replace(at, 6, name);
    return s;
  };
  HttpResult ours = SendHttp(Gw().ours_port, c.method, substitute(c.target, ours_name), substitute(c.body, ours_name));
  HttpResult ref =
      SendHttp(Gw().reference_port, c.method, substitute(c.target, reference_name), substitute(c.body, reference_name));
  INFO(c.method << " " << c.target << " " << c.body << "\nours: " << ours.status << " " << ours.body
                << "\nreference: " << ref.status << " " << ref.body);
  REQUIRE(ours.status == ref.status);
  json o = WithoutTimes(Parse(ours.body));
  json r = WithoutNewerDetailFields(WithoutTimes(Parse(ref.body)));
  if (!ours_name.empty()) {
    // Objects created under two names: compare with the reference's name put in ours.
    std::string text = o.dump();
    for (std::size_t at; (at = text.find(ours_name)) != std::string::npos;)
      text.replace(at, ours_name.size(), reference_name);
    o = json::parse(text);
  }
  if (!c.compare_message && o.is_object() && r.is_object()) {
    o.erase("message");
    r.erase("message");
  }
  REQUIRE(o == r);
}

}  // namespace

TEST_CASE("nebula-gateway in front of a real api-manager", "[gateway][stack]") {
  const std::string image = Gw().stack.sample_image;
  const int port = Gw().ours_port;
  HttpResult created = SendHttp(port, "POST", "/v1/apps",
                                R"({"name":"gw-real","spec":{"image":")" + image +
                                    R"(","env":{"A":"1"},"ports":[{"hostPort":18080,"containerPort":80}]}})");
  INFO(created.body);
  REQUIRE(created.status == 200);
  json app = json::parse(created.body);
  REQUIRE(app["name"] == "gw-real");
  REQUIRE(app["generation"].is_string());
  REQUIRE(app["spec"]["env"] == json{{"A", "1"}});
  REQUIRE(app["spec"]["ports"][0]["hostPort"] == 18080);

  HttpResult patched =
      SendHttp(port, "PATCH", "/v1/apps/gw-real?update_mask=spec.image", R"({"spec":{"image":")" + image + R"("}})");
  REQUIRE(patched.status == 200);
  REQUIRE(std::stoll(json::parse(patched.body)["generation"].get<std::string>()) >
          std::stoll(app["generation"].get<std::string>()));

  HttpResult again = SendHttp(port, "POST", "/v1/apps", R"({"name":"gw-real","spec":{"image":"x"}})");
  REQUIRE(again.status == 409);
  REQUIRE(json::parse(again.body)["code"] == 6);

  HttpResult invalid = SendHttp(port, "POST", "/v1/apps", R"({"name":"Not_A_Label","spec":{"image":"x"}})");
  REQUIRE(invalid.status == 400);
  REQUIRE(json::parse(invalid.body)["details"][0]["@type"] == "type.googleapis.com/google.rpc.BadRequest");

  REQUIRE(SendHttp(port, "DELETE", "/v1/apps/gw-real").status == 200);
  HttpResult gone = SendHttp(port, "GET", "/v1/apps/gw-real");
  REQUIRE(gone.status == 404);
  REQUIRE(json::parse(gone.body)["code"] == 5);
}

TEST_CASE("side by side with grpc-gateway v2.33.0: equal status and JSON", "[gateway][stack][side_by_side]") {
  const std::string image = Gw().stack.sample_image;
  // Mutations: each gateway creates its own object from the same body; results compared modulo name/times.
  const std::vector<Case> mutations = {
      {"POST", "/v1/apps",
       R"({"name":"@NAME@","spec":{"image":")" + image +
           R"(","env":{"K":"V"},"networks":["bridge"],"pullPolicy":"PULL_POLICY_ALWAYS","running":true,"containersPer":{"instance":2}}})"},
      {"GET", "/v1/apps/@NAME@", ""},
      {"PATCH", "/v1/apps/@NAME@?update_mask=spec.env", R"({"spec":{"env":{"K":"W"}}})"},
      {"PATCH", "/v1/apps/@NAME@", R"({"spec":{"env":{"K":"X"},"labels":{"l":"1"}}})"},
      {"PATCH", "/v1/apps/@NAME@", R"({"spec":{"nonsense":1}})", false},
      {"PUT", "/v1/apps/@NAME@", R"({"name":"ignored","spec":{"image":")" + image + R"("}})"},
      {"POST", "/v1/apps/@NAME@:stop", "{}"},
      {"POST", "/v1/apps/@NAME@:restart", R"({"rolling":false})"},
      {"GET", "/v1/apps/@NAME@/revisions?page_size=2", ""},
      {"GET", "/v1/apps/@NAME@/status", ""},
      {"GET", "/v1/apps/@NAME@/status:watch", ""},
      {"POST", "/v1/apps/@NAME@:rollback", R"({"generation":"1","expectedGeneration":"1"})"},
      {"DELETE", "/v1/apps/@NAME@?expected_generation=1", ""},
      {"DELETE", "/v1/apps/@NAME@", ""},
      {"GET", "/v1/apps/@NAME@", ""},
      {"POST", "/v1/apps", R"({"name":"@NAME@-u","spec":{"image":"x"},"unknownField":1,"generation":"12"})"},
      {"DELETE", "/v1/apps/@NAME@-u?force=true", ""},
  };
  for (const Case& c : mutations) Compare(c, "sbs-ours", "sbs-ref");

  // Reads and errors on shared state: compared exactly.
  const std::vector<Case> reads = {
      {"GET", "/v1/apps", ""},
      {"GET", "/v1/apps?page_size=1", ""},
      {"GET", "/v1/apps?pageSize=1&unknown=3", ""},
      {"GET", "/v1/apps/does-not-exist", ""},
      {"GET", "/v1/apps/a%2Fb", ""},
      {"GET", "/v1/workers", ""},
      {"GET", "/v1/workers/nobody", ""},
      {"GET", "/v1/device-groups", ""},
      {"GET", "/v1/cron-jobs", ""},
      {"GET", "/v1/audit-events?object_kind=app&page_size=3", ""},
      {"DELETE", "/v1/apps", ""},
      {"GET", "/v2/nothing", ""},
      {"PUT", "/v1/apps", "{}"},
      {"POST", "/v1/apps", R"({"name":"Bad_Name","spec":{"image":"x"}})"},
      {"DELETE", "/v1/apps/x", ""},
      {"GET", "/v1/apps?page_size=abc", "", false},
      {"GET", "/v1/apps?page_size=1&page_size=2", "", false},
      {"POST", "/v1/apps", R"({"name": )", false},
      {"POST", "/v1/apps", R"({"spec":{"image":5}})", false},
  };
  for (const Case& c : reads) Compare(c);
}
