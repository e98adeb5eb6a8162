#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/docker/docker_json.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using nlohmann::json;

TEST_CASE("the create body carries ports per index, env, labels and host config", "[unit][docker]") {
  auto app = WebSpec(3);
  app.add_networks("bridge");
  app.add_networks("backend");
  app.set_privileged(true);
  app.add_command("/bin/sh");
  app.add_args("-c");
  app.add_args("httpd -f");
  auto* v = app.add_volumes();
  v->set_source("/srv");
  v->set_target("/www");
  v->set_read_only(true);
  app.add_devices()->set_host_path("/dev/null");
  app.mutable_resources()->set_cpus(1.5);
  app.mutable_resources()->set_memory_mb(64);
  auto* udp = app.add_ports();  // same container port as the first mapping, other protocol
  udp->set_host_port(7000);
  udp->set_container_port(80);
  udp->set_protocol(nebula::v1::PROTOCOL_UDP);
  const auto spec = BuildContainerSpec("web", app, 5, 2, kSettings);
  const json body = CreateContainerBody(spec);

  CHECK(body["Image"] == "nebtest/web:1");
  CHECK(body["Env"] == json::array({"MODE=test"}));
  CHECK(body["Labels"]["dev.nebula.index"] == "2");
  CHECK(body["Labels"]["dev.nebula.config-hash"] == spec.config_hash);
  CHECK(body["Entrypoint"] == json::array({"/bin/sh"}));
  CHECK(body["Cmd"] == json::array({"-c", "httpd -f"}));
  CHECK(body["ExposedPorts"].contains("80/tcp"));
  CHECK(body["ExposedPorts"].contains("80/udp"));
  CHECK(body["ExposedPorts"].contains("9100/tcp"));
  const json& host = body["HostConfig"];
  CHECK(host["PortBindings"]["80/tcp"] == json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "8082"}}}));
  CHECK(host["PortBindings"]["9100/tcp"] == json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "9102"}}}));
  CHECK(host["PortBindings"]["80/udp"] == json::array({{{"HostIp", "127.0.0.1"}, {"HostPort", "7002"}}}));
  CHECK(host["Binds"] == json::array({"/srv:/www:ro"}));
  CHECK(host["Devices"] ==
        json::array({{{"PathOnHost", "/dev/null"}, {"PathInContainer", "/dev/null"}, {"CgroupPermissions", "rwm"}}}));
  CHECK(host["Privileged"] == true);
  CHECK(host["RestartPolicy"]["Name"] == "unless-stopped");
  CHECK(host["NetworkMode"] == "bridge");
  CHECK(host["NanoCpus"] == 1'500'000'000);
  CHECK(host["Memory"] == 64ll << 20);
  CHECK(ExtraNetworks(spec) == std::vector<std::string>{"backend"});
}

TEST_CASE("a minimal spec leaves optional fields to dockerd", "[unit][docker]") {
  nebula::v1::AppSpec app;
  app.set_image("x");
  const json body = CreateContainerBody(BuildContainerSpec("a", app, 1, 0, AgentSettings{"w", ""}));
  CHECK_FALSE(body.contains("Entrypoint"));
  CHECK_FALSE(body.contains("Cmd"));
  CHECK_FALSE(body.contains("ExposedPorts"));
  CHECK_FALSE(body["HostConfig"].contains("NetworkMode"));
  CHECK_FALSE(body["HostConfig"].contains("NanoCpus"));
  CHECK_FALSE(body["HostConfig"].contains("Memory"));
}

TEST_CASE("container listings parse, nulls included", "[unit][docker]") {
  const json list = json::parse(R"json([
    {"Id":"abc","Names":["/web-0-xyz12"],"Image":"nebtest/web:1","ImageID":"sha256:1","State":"running",
     "Status":"Up 3 minutes (healthy)","Created":1700000000,"Labels":{"dev.nebula.app":"web"}},
    {"Id":"def","Names":null,"Image":"x","State":"exited","Status":"Exited (0) 2 hours ago","Labels":null}
  ])json");
  const auto containers = ParseContainerList(list);
  REQUIRE(containers.size() == 2);
  CHECK(containers[0].id == "abc");
  CHECK(containers[0].name == "web-0-xyz12");
  CHECK(containers[0].image_id == "sha256:1");
  CHECK(containers[0].state == ContainerState::kRunning);
  CHECK(containers[0].health == Health::kHealthy);
  CHECK(containers[0].created == 1700000000);
  CHECK(containers[0].labels.at("dev.nebula.app") == "web");
  CHECK(containers[1].name.empty());
  CHECK(containers[1].labels.empty());
  CHECK(containers[1].health == Health::kNone);
  CHECK(ParseContainerList(json::object()).empty());
}

TEST_CASE("health comes from the status text", "[unit][docker]") {
  CHECK(HealthFromStatus("Up 1 second (health: starting)") == Health::kStarting);
  CHECK(HealthFromStatus("Up 2 days (unhealthy)") == Health::kUnhealthy);
  CHECK(HealthFromStatus("Up 2 days") == Health::kNone);
}

TEST_CASE("inspect output parses into details", "[unit][docker]") {
  const json inspect = json::parse(R"json({
    "Id":"abc","Name":"/web-1-aaaaa","Created":"2024-05-01T12:00:00.123456789Z","Image":"sha256:img",
    "State":{"Status":"exited","Running":false,"ExitCode":3,"Error":"boom"},
    "Config":{"Image":"nebtest/web:1","Env":["A=1"],"Labels":{"k":"v"},"Entrypoint":null,"Cmd":["sleep","1"]},
    "HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"8081"}],"53/udp":[{"HostIp":"","HostPort":""}]},
                  "Binds":null,"NetworkMode":"default","Privileged":true,"RestartPolicy":{"Name":"no"},
                  "NanoCpus":0,"Memory":1048576},
    "NetworkSettings":{"Networks":{"bridge":{}}}
  })json");
  const auto d = ParseContainerInspect(inspect);
  CHECK(d.container.id == "abc");
  CHECK(d.container.name == "web-1-aaaaa");
  CHECK(d.container.created == 1714564800);
  CHECK(d.container.image == "nebtest/web:1");
  CHECK(d.container.image_id == "sha256:img");
  CHECK(d.container.state == ContainerState::kExited);
  CHECK(d.container.labels.at("k") == "v");
  CHECK(d.env == std::vector<std::string>{"A=1"});
  CHECK(d.entrypoint.empty());
  CHECK(d.cmd == std::vector<std::string>{"sleep", "1"});
  CHECK(d.binds.empty());
  REQUIRE(d.ports.size() == 2);
  CHECK(d.ports[0] == PortBinding{"", 0, 53, "udp"});
  CHECK(d.ports[1] == PortBinding{"127.0.0.1", 8081, 80, "tcp"});
  CHECK(d.network_mode == "default");
  CHECK(d.networks == std::vector<std::string>{"bridge"});
  CHECK(d.privileged);
  CHECK(d.restart_policy == "no");
  CHECK(d.memory_bytes == 1048576);
  CHECK(d.exit_code == 3);
  CHECK(d.error == "boom");
}

TEST_CASE("label filters and error bodies", "[unit][docker]") {
  CHECK(json::parse(LabelFilter({{"a", "1"}, {"b", "x=y"}})) == json{{"label", {"a=1", "b=x=y"}}});
  CHECK(ErrorMessage(R"({"message":"port is already allocated"})") == "port is already allocated");
  CHECK(ErrorMessage("page not found\n") == "page not found");
}

TEST_CASE("event filters and event lines", "[unit][docker]") {
  CHECK(json::parse(ContainerEventFilter({{"dev.nebula.worker", "w1"}})) ==
        json{{"label", {"dev.nebula.worker=w1"}}, {"type", {"container"}}});
  // As dockerd 20.10 writes them, one per line.
  const auto die = ParseContainerEvent(
      R"({"status":"die","id":"abc123","from":"nebtest/busybox:1","Type":"container","Action":"die",)"
      R"("Actor":{"ID":"abc123","Attributes":{"dev.nebula.app":"web","exitCode":"137","name":"web-0-x1y2z"}},)"
      R"("scope":"local","time":1700000000,"timeNano":1700000000000000000})");
  REQUIRE(die);
  CHECK(die->action == "die");
  CHECK(die->id == "abc123");
  CHECK(die->labels.at("dev.nebula.app") == "web");
  CHECK(die->labels.at("exitCode") == "137");
  CHECK_FALSE(ParseContainerEvent(R"({"Type":"network","Action":"connect","Actor":{"ID":"n1"}})"));
  CHECK_FALSE(ParseContainerEvent(R"({"Type":"container","Action":"die"})"));
  CHECK_FALSE(ParseContainerEvent("not json"));
  CHECK_FALSE(ParseContainerEvent(""));
}

TEST_CASE("container states and health are read once, as dockerd's words", "[unit][docker]") {
  for (auto state :
       {ContainerState::kCreated, ContainerState::kRunning, ContainerState::kPaused, ContainerState::kRestarting,
        ContainerState::kRemoving, ContainerState::kExited, ContainerState::kDead}) {
    CHECK(ParseContainerState(ToString(state)) == state);
  }
  CHECK(ParseContainerState("hibernating") == ContainerState::kUnknown);
  CHECK(ParseContainerState("") == ContainerState::kUnknown);
  for (auto health : {Health::kStarting, Health::kHealthy, Health::kUnhealthy}) {
    CHECK(ParseHealth(ToString(health)) == health);
  }
  CHECK(ParseHealth("") == Health::kNone);
  CHECK(ToString(Health::kNone).empty());  // GetStatus shows no health for a container without a HEALTHCHECK
}
