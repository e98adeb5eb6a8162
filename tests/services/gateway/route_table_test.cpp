#include <catch2/catch.hpp>

#include <google/protobuf/descriptor.h>

#include "common/error.h"
#include "gateway/core/route_table.h"

using namespace nebula::gateway;

namespace {

const RouteTable& Table() {
  static const RouteTable table = RouteTable::FromServices(*google::protobuf::DescriptorPool::generated_pool(),
                                                           {"nebula.v1.ApiManager", "nebula.v1.WorkerAgent"});
  return table;
}

RouteLookup Found(std::string_view method, std::string_view path, const std::string& rpc) {
  RouteLookup lookup = Table().Lookup(method, path);
  INFO(method << " " << path);
  REQUIRE(lookup.status == RouteStatus::kFound);
  REQUIRE(lookup.route->method->full_name() == rpc);
  return lookup;
}

}  // namespace

TEST_CASE("routes come from the compiled google.api.http rules", "[route_table]") {
  SECTION("GET /v1/apps/web") {
    const RouteLookup l = Found("GET", "/v1/apps/web", "nebula.v1.ApiManager.GetApp");
    REQUIRE(l.bindings == std::vector<PathBinding>{{"name", "web"}});
    REQUIRE(l.route->body.empty());
    REQUIRE(l.route->variable_fields.at(0).at(0)->name() == "name");
  }
  SECTION("list and create") {
    Found("GET", "/v1/apps", "nebula.v1.ApiManager.ListApps");
    REQUIRE(Found("POST", "/v1/apps", "nebula.v1.ApiManager.CreateApp").route->body == "app");
  }
  SECTION("PUT and PATCH (additional_bindings) reach UpdateApp with app.name bound") {
    for (const char* method : {"PUT", "PATCH"}) {
      const RouteLookup l = Found(method, "/v1/apps/web", "nebula.v1.ApiManager.UpdateApp");
      REQUIRE(l.bindings == std::vector<PathBinding>{{"app.name", "web"}});
      REQUIRE(l.route->body == "app");
      REQUIRE(l.route->variable_fields.at(0).size() == 2);
    }
  }
  SECTION("DELETE") {
    REQUIRE(Found("DELETE", "/v1/apps/web", "nebula.v1.ApiManager.DeleteApp").bindings ==
            std::vector<PathBinding>{{"name", "web"}});
  }
  SECTION("the worker agent's status") { Found("GET", "/v1/status", "nebula.v1.WorkerAgent.GetStatus"); }
  SECTION("%2F in an app name is part of the name") {
    REQUIRE(Found("GET", "/v1/apps/a%2Fb", "nebula.v1.ApiManager.GetApp").bindings ==
            std::vector<PathBinding>{{"name", "a/b"}});
  }
}

TEST_CASE("lookup failures are told apart", "[route_table]") {
  REQUIRE(Table().Lookup("POST", "/v1/apps/web").status == RouteStatus::kMethodNotAllowed);
  REQUIRE(Table().Lookup("DELETE", "/v1/apps").status == RouteStatus::kMethodNotAllowed);
  REQUIRE(Table().Lookup("GET", "/v1/nothing").status == RouteStatus::kNotFound);
  REQUIRE(Table().Lookup("GET", "/v1/apps/web/extra").status == RouteStatus::kNotFound);
  REQUIRE(Table().Lookup("get", "/v1/apps/web").status ==
          RouteStatus::kMethodNotAllowed);  // methods are case-sensitive
  REQUIRE(Table().Lookup("GET", "v1/apps").status == RouteStatus::kBadPath);
  const RouteLookup bad = Table().Lookup("GET", "/v1/apps/%zz");
  REQUIRE(bad.status == RouteStatus::kBadPath);
  REQUIRE_THAT(bad.error, Catch::Contains("%zz"));
}

TEST_CASE("unknown services are rejected", "[route_table]") {
  REQUIRE_THROWS_AS(RouteTable::FromServices(*google::protobuf::DescriptorPool::generated_pool(), {"nebula.v1.Nope"}),
                    nebula::Error);
}
