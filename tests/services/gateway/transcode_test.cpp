// Request transcoding against the real routes: every rule of grpc-gateway v2's generated handlers
// (body, path, query) and its query parser, observed on the gRPC request message.
#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/message_differencer.h>

#include "nebula/v1/api_manager.pb.h"
#include "nebula/v1/worker_agent.pb.h"
#include "gateway/core/route_table.h"
#include "gateway/core/scalar_parse.h"
#include "gateway/core/transcode.h"

using namespace nebula::gateway;
namespace pb = google::protobuf;

namespace {

const RouteTable& Table() {
  static const RouteTable table = RouteTable::FromServices(
      *pb::DescriptorPool::generated_pool(), {"nebula.v1.ApiManager", "nebula.v1.Identity", "nebula.v1.WorkerAgent"});
  return table;
}

// Routes and transcodes; returns the error text ("" on success).
template <class Request>
std::string Transcode(std::string_view method, std::string_view target, std::string_view body, Request& out) {
  const std::size_t q = target.find('?');
  RouteLookup lookup = Table().Lookup(method, target.substr(0, q));
  REQUIRE(lookup.status == RouteStatus::kFound);
  REQUIRE(lookup.route->method->input_type() == Request::descriptor());
  auto error = TranscodeRequest(*lookup.route, lookup.bindings, q == std::string_view::npos ? "" : target.substr(q + 1),
                                body, out);
  return error ? error->message : "";
}

}  // namespace

TEST_CASE("path variables bind (nested) fields and are percent-decoded", "[transcode]") {
  nebula::v1::GetAppRequest get;
  REQUIRE(Transcode("GET", "/v1/apps/a%20b", "", get).empty());
  REQUIRE(get.name() == "a b");
  nebula::v1::GetAppRequest slash;
  REQUIRE(Transcode("GET", "/v1/apps/a%2Fb", "", slash).empty());
  REQUIRE(slash.name() == "a/b");  // {name} is one segment: %2F decodes (AllExceptSlash keeps it only in **)
  nebula::v1::UpdateAppRequest update;
  REQUIRE(Transcode("PATCH", "/v1/apps/web", R"({"spec":{"image":"nginx"}})", update).empty());
  REQUIRE(update.app().name() == "web");
  REQUIRE(update.app().spec().image() == "nginx");
}

TEST_CASE("body field, body star and path over body", "[transcode]") {
  SECTION("body: app") {
    nebula::v1::CreateAppRequest create;
    REQUIRE(Transcode("POST", "/v1/apps", R"({"name":"web","spec":{"image":"x","pull_policy":"PULL_POLICY_ALWAYS"}})",
                      create)
                .empty());
    REQUIRE(create.app().name() == "web");
    REQUIRE(create.app().spec().pull_policy() == nebula::v1::PULL_POLICY_ALWAYS);
  }
  SECTION("both names accepted, unknown fields ignored") {
    nebula::v1::CreateAppRequest create;
    REQUIRE(Transcode("POST", "/v1/apps", R"({"name":"w","bogus":1,"spec":{"restartNonce":"7","restart_policy":2}})",
                      create)
                .empty());
    REQUIRE(create.app().spec().restart_nonce() == 7);
    REQUIRE(create.app().spec().restart_policy() == nebula::v1::RESTART_POLICY_ALWAYS);
  }
  SECTION("path values override body values") {
    nebula::v1::UpdateAppRequest update;
    REQUIRE(Transcode("PUT", "/v1/apps/from-path", R"({"name":"from-body"})", update).empty());
    REQUIRE(update.app().name() == "from-path");
    nebula::v1::StartAppRequest start;
    REQUIRE(Transcode("POST", "/v1/apps/p:start", R"({"name":"b","expectedGeneration":"4"})", start).empty());
    REQUIRE(start.name() == "p");
    REQUIRE(start.expected_generation() == 4);
  }
  SECTION("body * ignores query parameters") {
    nebula::v1::StartAppRequest start;
    REQUIRE(Transcode("POST", "/v1/apps/p:start?expected_generation=9", "", start).empty());
    REQUIRE(start.expected_generation() == 0);
  }
  SECTION("an empty or blank body is fine") {
    nebula::v1::CreateAppRequest create;
    REQUIRE(Transcode("POST", "/v1/apps", " \n", create).empty());
    REQUIRE_FALSE(create.has_app());
  }
  SECTION("no body rule: the body is ignored") {
    nebula::v1::GetAppRequest get;
    REQUIRE(Transcode("GET", "/v1/apps/x", "{not json", get).empty());
  }
  SECTION("malformed JSON names the problem") {
    nebula::v1::CreateAppRequest create;
    const std::string error = Transcode("POST", "/v1/apps", R"({"name": })", create);
    REQUIRE_THAT(error, Catch::Contains("malformed JSON body"));
    REQUIRE_THAT(error, Catch::Contains("column"));
  }
  SECTION("a JSON type mismatch is an error") {
    nebula::v1::CreateAppRequest create;
    REQUIRE_THAT(Transcode("POST", "/v1/apps", R"({"generation":"x"})", create), Catch::Contains("invalid JSON body"));
  }
}

TEST_CASE("query parameters fill the remaining fields", "[transcode]") {
  SECTION("scalars by proto or JSON name") {
    nebula::v1::ListAppsRequest list;
    REQUIRE(Transcode("GET", "/v1/apps?page_size=5&pageToken=a+b%21", "", list).empty());
    REQUIRE(list.page_size() == 5);
    REQUIRE(list.page_token() == "a b!");
  }
  SECTION("nested paths, repeated, maps, enums by name or number, FieldMask, Timestamp, oneof") {
    nebula::v1::UpdateAppRequest update;
    REQUIRE(
        Transcode("PATCH", "/v1/apps/web?update_mask=spec.env,spec.image&expectedGeneration=-3", "", update).empty());
    REQUIRE(update.update_mask().paths_size() == 2);
    REQUIRE(update.update_mask().paths(1) == "spec.image");
    REQUIRE(update.expected_generation() == -3);

    nebula::v1::CreateAppRequest create;  // body "app": query "app.*" is filtered out
    REQUIRE(Transcode("POST", "/v1/apps?app.name=q", "", create).empty());
    REQUIRE_FALSE(create.has_app());

    // SetFieldFromStrings is the query parser itself; exercise it on richer messages.
    nebula::v1::App app;
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.networks", {"a", "b"}));
    REQUIRE(app.spec().networks_size() == 2);
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.env", {"K", "V"}));
    REQUIRE(app.spec().env().at("K") == "V");
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.pullPolicy", {"PULL_POLICY_NEVER"}));
    REQUIRE(app.spec().pull_policy() == nebula::v1::PULL_POLICY_NEVER);
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.restart_policy", {"2"}));
    REQUIRE(app.spec().restart_policy() == nebula::v1::RESTART_POLICY_ALWAYS);
    REQUIRE(SetFieldFromStrings(app, "spec.restart_policy", {"99"})->message ==
            "parsing field \"restart_policy\": \"99\" is not a valid value");
    REQUIRE_FALSE(SetFieldFromStrings(app, "create_time", {"2024-01-02T03:04:05.5Z"}));
    REQUIRE(app.create_time().seconds() == 1704164645);
    REQUIRE(app.create_time().nanos() == 500000000);
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.running", {"false"}));
    REQUIRE(app.spec().has_running());
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.containers_per.cpu", {"0.5"}));
    REQUIRE(SetFieldFromStrings(app, "spec.containers_per.instance", {"2"})->message ==
            "field already set for oneof \"per\"");
    REQUIRE_FALSE(SetFieldFromStrings(app, "spec.ports.host_port", {"1"}) == std::nullopt);  // not a message path
  }
  SECTION("query keys bound by the path are filtered out") {
    RouteLookup lookup = Table().Lookup("GET", "/v1/apps/x");
    nebula::v1::GetAppRequest get;
    REQUIRE_FALSE(TranscodeRequest(*lookup.route, lookup.bindings, "name=ignored", "", get));
    REQUIRE(get.name() == "x");  // bound by the path: the query key is filtered out
  }
  SECTION("errors") {
    nebula::v1::ListAppsRequest list;
    REQUIRE(Transcode("GET", "/v1/apps?page_size=1&page_size=2", "", list) ==
            "too many values for field \"page_size\": 1, 2");
    nebula::v1::ListAppsRequest overflow;
    REQUIRE(Transcode("GET", "/v1/apps?page_size=3000000000", "", overflow) ==
            "parsing field \"page_size\": strconv.ParseInt: parsing \"3000000000\": value out of range");
    nebula::v1::ListAppsRequest semicolon;
    REQUIRE(Transcode("GET", "/v1/apps?a=1;b=2", "", semicolon) == "invalid semicolon separator in query");
    nebula::v1::ListAppsRequest escape;
    REQUIRE(Transcode("GET", "/v1/apps?page_token=%zz", "", escape) == "invalid URL escape in query");
  }
  SECTION("invalid UTF-8 for a string field is a 400, not a request protobuf cannot serialize") {
    nebula::v1::GetAppRequest get;
    REQUIRE(Transcode("GET", "/v1/apps/a%FFb", "", get) ==
            "type mismatch, parameter: name, error: parsing field \"name\": invalid UTF-8 in \"name\"");
    nebula::v1::ListAppsRequest list;
    REQUIRE_THAT(Transcode("GET", "/v1/apps?page_token=%C3%28", "", list), Catch::Contains("invalid UTF-8"));
  }
  SECTION("unknown keys are ignored") {
    nebula::v1::ListAppsRequest list;
    REQUIRE(Transcode("GET", "/v1/apps?nope=1&nested.deeper=2", "", list).empty());
  }
}

TEST_CASE("PATCH fills an empty update_mask from the body's keys (allow_patch_feature)", "[transcode]") {
  nebula::v1::UpdateAppRequest patch;
  REQUIRE(Transcode("PATCH", "/v1/apps/web",
                    R"({"spec":{"image":"x","env":{"A":"1"},"ports":[],"update_strategy":{}}})", patch)
              .empty());
  REQUIRE(std::vector<std::string>(patch.update_mask().paths().begin(), patch.update_mask().paths().end()) ==
          std::vector<std::string>{"spec.env", "spec.image", "spec.ports", "spec.update_strategy"});
  nebula::v1::UpdateAppRequest explicit_mask;
  REQUIRE(
      Transcode("PATCH", "/v1/apps/web?update_mask=spec.labels", R"({"spec":{"image":"x"}})", explicit_mask).empty());
  REQUIRE(explicit_mask.update_mask().paths_size() == 1);
  REQUIRE(explicit_mask.update_mask().paths(0) == "spec.labels");
  nebula::v1::UpdateAppRequest put;
  REQUIRE(Transcode("PUT", "/v1/apps/web", R"({"spec":{"image":"x"}})", put).empty());
  REQUIRE_FALSE(put.has_update_mask());
  nebula::v1::UpdateAppRequest unknown;
  REQUIRE(Transcode("PATCH", "/v1/apps/web", R"({"bogus":1})", unknown) ==
          "could not find field \"bogus\" in \"nebula.v1.App\"");
}

TEST_CASE("Go scalar syntax", "[transcode]") {
  REQUIRE(ParseGoDuration("1.5s") == std::pair<std::int64_t, std::int32_t>{1, 500000000});
  REQUIRE(ParseGoDuration("2h45m") == std::pair<std::int64_t, std::int32_t>{9900, 0});
  REQUIRE(ParseGoDuration("-300ms") == std::pair<std::int64_t, std::int32_t>{0, -300000000});
  REQUIRE_FALSE(ParseGoDuration("5"));
  REQUIRE_FALSE(ParseGoDuration("1x"));
  REQUIRE(QueryUnescape("a%2Fb+c") == "a/b c");
  REQUIRE_FALSE(QueryUnescape("%4"));
  REQUIRE(DecodeBase64("aGk=") == "hi");
  REQUIRE(DecodeBase64("-_8=") == "\xfb\xff");
  REQUIRE(EncodeBase64("hi") == "aGk=");
}
