#include "output.h"

#include <google/protobuf/util/time_util.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "nebula/v1/api_manager.pb.h"

using namespace nebula::cli;
using google::protobuf::util::TimeUtil;
namespace v1 = nebula::v1;

namespace {

v1::App SampleApp() {
  v1::App app;
  app.set_name("web");
  app.set_generation(7);
  auto* spec = app.mutable_spec();
  spec->set_image("nginx:1.27");
  spec->mutable_containers_per()->set_instance(3);
  auto* port = spec->add_ports();
  port->set_host_port(8080);
  port->set_container_port(80);
  (*spec->mutable_env())["MODE"] = "prod";
  (*spec->mutable_env())["FLAG"] = "true";
  (*spec->mutable_labels())["note"] = "a: b # c";
  *app.mutable_create_time() = TimeUtil::SecondsToTimestamp(1700000000);
  *app.mutable_update_time() = TimeUtil::SecondsToTimestamp(1700000000);
  return app;
}

std::chrono::system_clock::time_point At(int64_t seconds) {
  return std::chrono::system_clock::time_point(std::chrono::seconds(seconds));
}

}  // namespace

TEST_CASE("JSON is the proto3 JSON mapping and parses back") {
  const auto json = ToJson(SampleApp());
  CHECK(json.back() == '\n');
  const auto doc = nlohmann::json::parse(json);
  CHECK(doc["name"] == "web");
  CHECK(doc["generation"] == "7");  // int64 as a string, as the REST gateway renders it
  CHECK(doc["spec"]["containersPer"]["instance"] == 3);
  CHECK(doc["spec"]["ports"][0]["hostPort"] == 8080);
  CHECK(doc["createTime"] == "2023-11-14T22:13:20Z");
}

TEST_CASE("Map entries print sorted by key, whatever the insertion order") {
  v1::AppSpec spec;
  const std::vector<std::string> keys = {"zeta", "alpha", "mid", "beta", "k9", "k1", "omega", "gamma", "delta"};
  for (const auto& k : keys) (*spec.mutable_env())[k] = "v";
  const auto doc = nlohmann::ordered_json::parse(ToJson(spec));
  std::vector<std::string> printed;
  for (const auto& [k, v] : doc["env"].items()) printed.push_back(k);
  auto sorted = keys;
  std::sort(sorted.begin(), sorted.end());
  CHECK(printed == sorted);
}

TEST_CASE("YAML: nested maps, lists of maps, and quoting of ambiguous strings") {
  const auto yaml = Render(SampleApp(), OutputFormat::kYaml);
  CHECK_THAT(yaml, Catch::Contains("name: web\n"));
  CHECK_THAT(yaml, Catch::Contains("generation: \"7\"\n"));  // a string in JSON stays a string
  CHECK_THAT(yaml, Catch::Contains("spec:\n  image: nginx:1.27\n"));
  CHECK_THAT(yaml, Catch::Contains("  ports:\n  - hostPort: 8080\n    containerPort: 80\n"));
  CHECK_THAT(yaml, Catch::Contains("  env:\n    FLAG: \"true\"\n    MODE: prod\n"));  // "true": not the boolean
  CHECK_THAT(yaml, Catch::Contains("    note: \"a: b # c\"\n"));                      // not a nested map or a comment
  CHECK_THAT(yaml, Catch::Contains("createTime: \"2023-11-14T22:13:20Z\"\n"));
}

TEST_CASE("YAML of edge documents") {
  CHECK(JsonToYaml("{}") == "{}\n");
  CHECK(JsonToYaml(R"({"apps":[]})") == "apps: []\n");
  CHECK(JsonToYaml(R"({"a":{}})") == "a: {}\n");
  CHECK(JsonToYaml(R"({"a":["x","-y",""]})") == "a:\n- x\n- \"-y\"\n- \"\"\n");
  CHECK(JsonToYaml(R"({"num":1.5,"b":false,"s":"12","v":"1.27","t":"2024-01-01T00:00:00Z","n":"x"})") ==
        "num: 1.5\nb: false\ns: \"12\"\nv: \"1.27\"\nt: \"2024-01-01T00:00:00Z\"\n\"n\": x\n");
  CHECK(JsonToYaml(R"({"ok":"nginx:1.27","k":"a b","null":"Null","neg":"-3","dot":".5"})") ==
        "ok: nginx:1.27\nk: a b\n\"null\": \"Null\"\nneg: \"-3\"\ndot: \".5\"\n");
  CHECK(JsonToYaml(R"({"line":"a\nb"})") == "line: \"a\\nb\"\n");
  CHECK(JsonToYaml(R"({"l":[{"a":1,"b":{"c":2}}]})") == "l:\n- a: 1\n  b:\n    c: 2\n");
}

TEST_CASE("A list renders as one document with every app") {
  v1::ListAppsResponse all;
  *all.add_apps() = SampleApp();
  *all.add_apps() = SampleApp();
  const auto doc = nlohmann::json::parse(Render(all, OutputFormat::kJson));
  CHECK(doc["apps"].size() == 2);
  CHECK_FALSE(doc.contains("nextPageToken"));
}

TEST_CASE("Table: header, one padded row per app") {
  auto a = SampleApp();
  auto b = SampleApp();
  b.set_name("a-much-longer-name");
  b.mutable_spec()->set_running(false);
  b.mutable_spec()->mutable_containers_per()->set_cpu(0.5);
  b.set_generation(12);
  const auto table = AppTable({a, b}, At(1700000000 + 300));
  CHECK(table ==
        "NAME                 GENERATION   IMAGE        CONTAINERS   RUNNING   UPDATED\n"
        "web                  7            nginx:1.27   3/host       yes       5m\n"
        "a-much-longer-name   12           nginx:1.27   0.5/cpu      no        5m\n");
  CHECK(AppTable({}, At(0)) == "NAME   GENERATION   IMAGE   CONTAINERS   RUNNING   UPDATED\n");
}

TEST_CASE("CONTAINERS column for every kind of containers_per") {
  v1::AppSpec spec;
  CHECK(ContainersColumn(spec) == "1/host");
  spec.mutable_containers_per()->set_instance(4);
  CHECK(ContainersColumn(spec) == "4/host");
  spec.mutable_containers_per()->set_cpu(2);
  CHECK(ContainersColumn(spec) == "2/cpu");
  spec.mutable_containers_per()->set_memory_mb(512);
  CHECK(ContainersColumn(spec) == "1/512MiB");
}

TEST_CASE("Ages round down like kubectl") {
  using std::chrono::seconds;
  CHECK(Age(seconds(-3)) == "0s");
  CHECK(Age(seconds(0)) == "0s");
  CHECK(Age(seconds(119)) == "119s");
  CHECK(Age(seconds(120)) == "2m");
  CHECK(Age(seconds(7199)) == "119m");
  CHECK(Age(seconds(7200)) == "2h");
  CHECK(Age(seconds(48 * 3600 - 1)) == "47h");
  CHECK(Age(seconds(48 * 3600)) == "2d");
}

TEST_CASE("An app without update_time shows '-'") {
  v1::App app;
  app.set_name("x");
  CHECK_THAT(AppTable({app}, At(0)), Catch::EndsWith("   yes       -\n"));
}
