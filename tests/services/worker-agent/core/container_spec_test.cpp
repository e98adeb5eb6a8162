#include <catch2/catch.hpp>

#include "../test_apps.h"
#include "worker-agent/core/container_spec.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

TEST_CASE("container i binds host_port + i for every mapping", "[unit][spec]") {
  const auto spec = WebSpec();
  for (int i = 0; i < 3; ++i) {
    const auto c = BuildContainerSpec("web", spec, 1, i, kSettings);
    REQUIRE(c.ports.size() == 2);
    CHECK(c.ports[0] == PortBinding{"127.0.0.1", 8080u + i, 80, "tcp"});
    CHECK(c.ports[1] == PortBinding{"127.0.0.1", 9100u + i, 9100, "tcp"});
  }
}

TEST_CASE("port mappings keep protocol and their own host ip, host port 0 stays dynamic", "[unit][spec]") {
  nebula::v1::AppSpec spec;
  spec.set_image("x");
  auto* dns = spec.add_ports();
  dns->set_host_port(5353);
  dns->set_container_port(53);
  dns->set_protocol(nebula::v1::PROTOCOL_UDP);
  dns->set_host_ip("10.0.0.1");
  auto* any = spec.add_ports();
  any->set_container_port(8000);
  const auto c = BuildContainerSpec("dns", spec, 1, 2, AgentSettings{"w", ""});
  CHECK(c.ports[0] == PortBinding{"10.0.0.1", 5355, 53, "udp"});
  CHECK(c.ports[1] == PortBinding{"", 0, 8000, "tcp"});
}

TEST_CASE("a host port above 65535 is a problem, not a crash", "[unit][spec]") {
  nebula::v1::AppSpec spec;
  spec.set_image("x");
  auto* p = spec.add_ports();
  p->set_host_port(65534);
  p->set_container_port(80);
  CHECK(SpecProblems(BuildContainerSpec("a", spec, 1, 1, kSettings)).empty());
  const auto problems = SpecProblems(BuildContainerSpec("a", spec, 1, 2, kSettings));
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains("65536"));
}

TEST_CASE("the effective spec resolves every default", "[unit][spec]") {
  nebula::v1::AppSpec spec;
  spec.set_image("reg:5000/team/app:2");
  (*spec.mutable_env())["B"] = "2";
  (*spec.mutable_env())["A"] = "1";
  spec.add_command("/bin/sh");
  spec.add_args("-c");
  spec.add_args("sleep 1");
  auto* v = spec.add_volumes();
  v->set_source("/data");
  v->set_target("/var/data");
  v->set_read_only(true);
  auto* d = spec.add_devices();
  d->set_host_path("/dev/snd");
  spec.set_privileged(true);
  spec.add_networks("bridge");
  spec.mutable_resources()->set_cpus(0.5);
  spec.mutable_resources()->set_memory_mb(256);
  (*spec.mutable_labels())["team"] = "blue";
  (*spec.mutable_labels())["dev.nebula.app"] = "spoofed";
  spec.set_restart_nonce(7);

  const auto c = BuildContainerSpec("app", spec, 4, 1, AgentSettings{"w9", ""});
  CHECK(c.env == std::vector<std::string>{"A=1", "B=2"});
  CHECK(c.entrypoint == std::vector<std::string>{"/bin/sh"});
  CHECK(c.cmd == std::vector<std::string>{"-c", "sleep 1"});
  CHECK(c.volumes == std::vector<BindMount>{{"/data", "/var/data", true}});
  CHECK(c.devices == std::vector<DeviceMount>{{"/dev/snd", "/dev/snd", "rwm"}});
  CHECK(c.privileged);
  CHECK(c.networks == std::vector<std::string>{"bridge"});
  CHECK(c.nano_cpus == 500'000'000);
  CHECK(c.memory_bytes == 256ll << 20);
  CHECK(c.restart_policy == "unless-stopped");
  CHECK(c.restart_nonce == 7);
  CHECK(c.user_labels == std::map<std::string, std::string>{{"team", "blue"}});
  CHECK(c.labels.at("team") == "blue");
  CHECK(c.labels.at("dev.nebula.app") == "app");
  CHECK(c.labels.at("dev.nebula.managed-by") == "nebula");
  CHECK(c.labels.at("dev.nebula.worker") == "w9");
  CHECK(c.labels.at("dev.nebula.generation") == "4");
  CHECK(c.labels.at("dev.nebula.index") == "1");
  CHECK(c.labels.at("dev.nebula.config-hash") == c.config_hash);
}

TEST_CASE("restart policies map to dockerd's names", "[unit][spec]") {
  CHECK(RestartPolicyName(nebula::v1::RESTART_POLICY_UNSPECIFIED) == "unless-stopped");
  CHECK(RestartPolicyName(nebula::v1::RESTART_POLICY_UNLESS_STOPPED) == "unless-stopped");
  CHECK(RestartPolicyName(nebula::v1::RESTART_POLICY_NO) == "no");
  CHECK(RestartPolicyName(nebula::v1::RESTART_POLICY_ALWAYS) == "always");
  CHECK(RestartPolicyName(nebula::v1::RESTART_POLICY_ON_FAILURE) == "on-failure");
}
