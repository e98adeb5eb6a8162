// YAML/JSON parsing, the field-level spec diff and apply planning: what `nebula apply` decides
// before it sends anything.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "manifest.h"
#include "spec_diff.h"
#include "yaml_json.h"

using namespace nebula::cli;
using Json = nlohmann::ordered_json;
namespace v1 = nebula::v1;

namespace {

std::string MessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const nebula::Error& e) {
    return e.what();
  }
  FAIL("no error");
  return {};
}

constexpr const char* kTwoDocs = R"(kind: App
name: web
spec:
  image: "nginx:1.27"
  containersPer: {instance: 2}
  ports:
    - {hostPort: 8080, containerPort: 80, protocol: PROTOCOL_TCP}
  env:
    MODE: prod
    PORT: "80"
---
kind: DeviceGroup
name: edge
spec:
  apps: [web]
  cronJobs: [backup]
---
kind: CronJob
name: backup
spec:
  schedule: "0 3 * * *"
  running: false
  image: busybox
  command: [/bin/sh]
)";

}  // namespace

TEST_CASE("YAML scalars follow the core schema and quoted scalars stay strings") {
  const auto docs = ParseYamlDocuments("a: 1\nb: '1'\nc: true\nd: ~\ne: 1.5\nf: web-1\ng: \"true\"\nh: [x, 2]\n");
  REQUIRE(docs.size() == 1);
  const auto& d = docs[0];
  CHECK(d["a"] == 1);
  CHECK(d["b"] == "1");
  CHECK(d["c"] == true);
  CHECK(d["d"].is_null());
  CHECK(d["e"] == 1.5);
  CHECK(d["f"] == "web-1");
  CHECK(d["g"] == "true");
  CHECK(d["h"] == Json::array({"x", 2}));
}

TEST_CASE("JSON is read by the same parser") {
  const auto docs = ParseYamlDocuments(R"({"kind": "App", "name": "web", "spec": {"image": "nginx"}})");
  REQUIRE(docs.size() == 1);
  CHECK(docs[0]["spec"]["image"] == "nginx");
}

TEST_CASE("YAML errors name the line and anchors are rejected") {
  CHECK_THAT(MessageOf([] { ParseYamlDocuments("a: [1, 2\nb: 3\n"); }), Catch::Contains("line "));
  CHECK_THAT(MessageOf([] { ParseYamlDocuments("a: &x 1\nb: *x\n"); }), Catch::Contains("anchors"));
  CHECK_THAT(MessageOf([] { ParseYamlDocuments("a: 1\na: 2\n"); }), Catch::Contains("duplicate key \"a\""));
}

TEST_CASE("A manifest holds apps, device groups and cron jobs") {
  const auto resources = ParseManifest(kTwoDocs, "cluster.yaml");
  REQUIRE(resources.size() == 3);
  CHECK(resources[0].kind == ResourceKind::kApp);
  CHECK(resources[0].app.spec().image() == "nginx:1.27");
  CHECK(resources[0].app.spec().containers_per().instance() == 2);
  CHECK(resources[0].app.spec().ports(0).host_port() == 8080);
  CHECK(resources[0].app.spec().env().at("PORT") == "80");
  CHECK(resources[1].kind == ResourceKind::kDeviceGroup);
  CHECK(resources[1].device_group.apps(0) == "web");
  CHECK(resources[1].device_group.cron_jobs(0) == "backup");
  CHECK(resources[2].kind == ResourceKind::kCronJob);
  CHECK(resources[2].cron_job.schedule() == "0 3 * * *");
  CHECK(resources[2].cron_job.has_running());
  CHECK_FALSE(resources[2].cron_job.running());
  CHECK(resources[2].cron_job.spec().command(0) == "/bin/sh");
}

TEST_CASE("A JSON list and a kind List are flattened") {
  CHECK(ParseManifest(R"([{"kind":"App","name":"a","spec":{"image":"x"}},{"kind":"App","name":"b"}])", "f").size() ==
        2);
  CHECK(ParseManifest("kind: List\nitems:\n  - {kind: App, name: a}\n", "f").size() == 1);
}

TEST_CASE("Bad manifests name the file, the document and the problem") {
  CHECK_THAT(MessageOf([] { ParseManifest("kind: Pod\nname: x\n", "a.yaml"); }),
             Catch::Contains("a.yaml document 1") && Catch::Contains("\"Pod\" is not one of"));
  CHECK_THAT(MessageOf([] { ParseManifest("kind: App\n", "a.yaml"); }), Catch::Contains("name: required"));
  CHECK_THAT(MessageOf([] { ParseManifest("kind: App\nname: w\nspec: {imag: x}\n", "a.yaml"); }),
             Catch::Contains("App \"w\"") && Catch::Contains("imag"));
  CHECK_THAT(MessageOf([] { ParseManifest("kind: App\nname: w\nmetadata: {}\n", "a.yaml"); }),
             Catch::Contains("unknown key \"metadata\""));
  CHECK_THAT(MessageOf([] { ParseManifest("kind: DeviceGroup\nname: g\nspec: {image: x}\n", "a.yaml"); }),
             Catch::Contains("spec.image: unknown field"));
  CHECK_THAT(MessageOf([] { ParseManifest("", "empty.yaml"); }), Catch::Contains("no resource documents"));
  CHECK_THAT(MessageOf([] { ApplyOrder(ParseManifest("[{kind: App, name: a}, {kind: App, name: a}]", "d.yaml")); }),
             Catch::Contains("more than once"));
}

TEST_CASE("Apply order: apps, then cron jobs, then device groups") {
  const auto ordered = ApplyOrder(ParseManifest(kTwoDocs, "c.yaml"));
  CHECK(ordered[0].kind == ResourceKind::kApp);
  CHECK(ordered[1].kind == ResourceKind::kCronJob);
  CHECK(ordered[2].kind == ResourceKind::kDeviceGroup);
}

TEST_CASE("Diff names the deepest changed field") {
  const Json before = Json::parse(R"({"image":"a","env":{"A":"1","B":"2"},"ports":[{"hostPort":1},{"hostPort":2}]})");
  const Json after = Json::parse(R"({"image":"b","env":{"A":"1","C":"3"},"ports":[{"hostPort":1}]})");
  const auto changes = DiffDocuments(before, after, "spec");
  REQUIRE(changes.size() == 4);
  CHECK(changes[0] == FieldChange{FieldChange::Kind::kChanged, "spec.image", "a", "b"});
  CHECK(changes[1] == FieldChange{FieldChange::Kind::kRemoved, "spec.env.B", "2", nullptr});
  CHECK(changes[2] == FieldChange{FieldChange::Kind::kAdded, "spec.env.C", nullptr, "3"});
  CHECK(changes[3].path == "spec.ports[1]");
  CHECK(changes[3].kind == FieldChange::Kind::kRemoved);
  CHECK(RenderChanges({changes[0]}) == "  ~ spec.image: \"a\" -> \"b\"\n");
  CHECK(DiffDocuments(before, before).empty());
}

TEST_CASE("Apply plans create, update and unchanged") {
  const auto desired = ParseManifest(kTwoDocs, "c.yaml")[0];
  const auto create = PlanApply(desired, std::nullopt, 0);
  CHECK(create.action == ApplyAction::kCreate);
  CHECK_FALSE(create.changes.empty());

  v1::App server = desired.app;
  server.set_generation(4);
  server.mutable_spec()->set_running(true);  // unset means true: no difference
  const auto same = PlanApply(desired, FromApp(server), 4);
  CHECK(same.action == ApplyAction::kUnchanged);
  CHECK(same.changes.empty());
  CHECK_THAT(RenderStep(same, false), Catch::StartsWith("App \"web\": unchanged (generation 4)"));

  server.mutable_spec()->set_image("nginx:1.26");
  const auto update = PlanApply(desired, FromApp(server), 4);
  CHECK(update.action == ApplyAction::kUpdate);
  REQUIRE(update.changes.size() == 1);
  CHECK(update.changes[0].path == "spec.image");
  CHECK_THAT(RenderStep(update, false, 5), Catch::StartsWith("App \"web\": updated (generation 4 -> 5)\n"));
  CHECK_THAT(RenderStep(create, false, 1), Catch::StartsWith("App \"web\": created (generation 1)\n"));
  CHECK_THAT(RenderStep(update, true),
             Catch::Contains("would be updated") && Catch::Contains("~ spec.image: \"nginx:1.26\" -> \"nginx:1.27\""));
}

TEST_CASE("Empty sub-messages and the running default do not count as changes") {
  auto desired = ParseManifest("kind: App\nname: a\nspec: {image: x, updateStrategy: {}, resources: {}}\n", "f")[0];
  v1::App server;
  server.set_name("a");
  server.mutable_spec()->set_image("x");
  CHECK(PlanApply(desired, FromApp(server), 1).action == ApplyAction::kUnchanged);
  const auto job = ParseManifest("kind: CronJob\nname: c\nspec: {schedule: '* * * * *', image: x}\n", "f")[0];
  v1::CronJob server_job = job.cron_job;
  server_job.set_running(true);
  CHECK(PlanApply(job, FromCronJob(server_job), 2).action == ApplyAction::kUnchanged);
  v1::DeviceGroup group;
  group.set_name("edge");
  group.add_apps("web");
  const auto g = ParseManifest("kind: DeviceGroup\nname: edge\nspec: {apps: [web, api]}\n", "f")[0];
  const auto step = PlanApply(g, FromDeviceGroup(group), 3);
  REQUIRE(step.changes.size() == 1);
  CHECK(step.changes[0] == FieldChange{FieldChange::Kind::kAdded, "spec.apps[1]", nullptr, "api"});
}
