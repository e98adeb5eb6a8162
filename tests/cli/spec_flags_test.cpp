#include "spec_flags.h"

#include <catch2/catch.hpp>

#include "common/error.h"

using nebula::Error;
using nebula::ErrorCode;
using namespace nebula::cli;
namespace v1 = nebula::v1;

namespace {

// The error a bad value raises: INVALID_ARGUMENT, naming the flag in the message and the violation.
std::string RejectionOf(const std::function<void()>& parse, const std::string& flag) {
  try {
    parse();
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    REQUIRE(e.violations().size() == 1);
    CHECK(e.violations()[0].field == flag);
    CHECK_THAT(e.what(), Catch::StartsWith(flag + " "));
    return e.what();
  }
  FAIL("no error for a value of " << flag);
  return {};
}

}  // namespace

TEST_CASE("Flag --port accepts HOST:CONTAINER with optional host IP and protocol") {
  auto p = ParsePort("8080:80");
  CHECK(p.host_port() == 8080);
  CHECK(p.container_port() == 80);
  CHECK(p.host_ip().empty());
  CHECK(p.protocol() == v1::PROTOCOL_UNSPECIFIED);

  p = ParsePort("127.0.0.1:5353:53/udp");
  CHECK(p.host_ip() == "127.0.0.1");
  CHECK(p.host_port() == 5353);
  CHECK(p.container_port() == 53);
  CHECK(p.protocol() == v1::PROTOCOL_UDP);

  CHECK(ParsePort("1:65535/tcp").protocol() == v1::PROTOCOL_TCP);
  CHECK(ParsePort("9000:9000/UDP").protocol() == v1::PROTOCOL_UDP);

  p = ParsePort("[::1]:8443:443");
  CHECK(p.host_ip() == "::1");
  CHECK(p.host_port() == 8443);
  CHECK(p.container_port() == 443);
}

TEST_CASE("Flag --port rejects malformed values naming the flag and the format") {
  for (const std::string bad :
       {"", "80", "abc", "8080:", ":80", "0:80", "8080:0", "65536:80", "8080:80/sctp", "8080:80/", "a:b:c:d",
        ":8080:80", "-1:80", "8080:80x", "[::1:80:80", "[]:80:80", "::1:80:80", " 80:80"}) {
    INFO("value: '" << bad << "'");
    const auto message = RejectionOf([&] { ParsePort(bad); }, "--port");
    CHECK_THAT(message, Catch::Contains("[HOST_IP:]HOST:CONTAINER[/tcp|udp]"));
    CHECK_THAT(message, Catch::Contains("\"" + bad + "\""));
  }
  CHECK_THAT(RejectionOf([] { ParsePort("70000:80"); }, "--port"), Catch::Contains("1-65535"));
  CHECK_THAT(RejectionOf([] { ParsePort("80:80/sctp"); }, "--port"), Catch::Contains("tcp or udp"));
}

TEST_CASE("Flag --env and --label take KEY=VALUE, splitting at the first '='") {
  CHECK(ParseKeyValue("--env", "A=1") == std::pair<std::string, std::string>{"A", "1"});
  CHECK(ParseKeyValue("--env", "URL=a=b") == std::pair<std::string, std::string>{"URL", "a=b"});
  CHECK(ParseKeyValue("--env", "EMPTY=") == std::pair<std::string, std::string>{"EMPTY", ""});
  for (const std::string bad : {"", "NOVALUE", "=x"})
    CHECK_THAT(RejectionOf([&] { ParseKeyValue("--label", bad); }, "--label"), Catch::Contains("KEY=VALUE"));
}

TEST_CASE("Flag --volume takes SRC:DST[:ro|rw]") {
  auto v = ParseVolume("/srv/data:/data");
  CHECK(v.source() == "/srv/data");
  CHECK(v.target() == "/data");
  CHECK_FALSE(v.read_only());
  CHECK(ParseVolume("cache:/var/cache:ro").read_only());
  CHECK_FALSE(ParseVolume("cache:/var/cache:rw").read_only());
  for (const std::string bad : {"", "/only", ":/data", "/src:", "/a:/b:rx", "/a:/b:ro:x", "/a:relative"}) {
    INFO("value: '" << bad << "'");
    CHECK_THAT(RejectionOf([&] { ParseVolume(bad); }, "--volume"), Catch::Contains("SRC:DST[:ro|rw]"));
  }
}

TEST_CASE("Flag --device takes HOST[:CONTAINER[:PERMISSIONS]]") {
  auto d = ParseDevice("/dev/ttyUSB0");
  CHECK(d.host_path() == "/dev/ttyUSB0");
  CHECK(d.container_path().empty());
  CHECK(d.permissions().empty());
  d = ParseDevice("/dev/ttyUSB0:/dev/ttyS0:rw");
  CHECK(d.container_path() == "/dev/ttyS0");
  CHECK(d.permissions() == "rw");
  CHECK(ParseDevice("/dev/fuse::m").permissions() == "m");
  for (const std::string bad :
       {"", ":/dev/x", "/dev/x:/dev/y:rwx", "/dev/x:/dev/y:rr", "/dev/x:/dev/y:", "/a:/b:r:w"}) {
    INFO("value: '" << bad << "'");
    CHECK_THAT(RejectionOf([&] { ParseDevice(bad); }, "--device"), Catch::Contains("HOST[:CONTAINER[:PERMISSIONS]]"));
  }
}

TEST_CASE("Flag --containers-per takes exactly one of cpu, memory, instance with a positive value") {
  CHECK(ParseContainersPer("cpu=2").cpu() == 2.0);
  CHECK(ParseContainersPer("cpu=0.5").cpu() == 0.5);
  CHECK(ParseContainersPer("memory=512").memory_mb() == 512);
  CHECK(ParseContainersPer("instance=3").instance() == 3);
  for (const std::string bad : {"", "cpu", "cpu=", "cpu=0", "cpu=-1", "cpu=nan", "cpu=inf", "memory=1.5", "memory=0",
                                "instance=0", "instance=2.5", "instance=99999999999", "disk=3", "=3"}) {
    INFO("value: '" << bad << "'");
    CHECK_THAT(RejectionOf([&] { ParseContainersPer(bad); }, "--containers-per"),
               Catch::Contains("cpu=X") && Catch::Contains("memory=MIB") && Catch::Contains("instance=N"));
  }
}

TEST_CASE("Flag --pull and --restart-policy take their documented words only") {
  CHECK(ParsePullPolicy("always") == v1::PULL_POLICY_ALWAYS);
  CHECK(ParsePullPolicy("if-not-present") == v1::PULL_POLICY_IF_NOT_PRESENT);
  CHECK(ParsePullPolicy("never") == v1::PULL_POLICY_NEVER);
  CHECK_THAT(RejectionOf([] { ParsePullPolicy("sometimes"); }, "--pull"),
             Catch::Contains("always, if-not-present or never"));
  CHECK(ParseRestartPolicy("no") == v1::RESTART_POLICY_NO);
  CHECK(ParseRestartPolicy("always") == v1::RESTART_POLICY_ALWAYS);
  CHECK(ParseRestartPolicy("on-failure") == v1::RESTART_POLICY_ON_FAILURE);
  CHECK(ParseRestartPolicy("unless-stopped") == v1::RESTART_POLICY_UNLESS_STOPPED);
  CHECK_THAT(RejectionOf([] { ParseRestartPolicy("Always"); }, "--restart-policy"),
             Catch::Contains("no, always, on-failure or unless-stopped"));
}

TEST_CASE("No flags: an empty spec and an empty mask") {
  const auto change = BuildSpecChange({});
  CHECK(change.update_mask.empty());
  CHECK(change.spec.ByteSizeLong() == 0);
  CHECK_FALSE(change.spec.has_running());
}

TEST_CASE("Every flag sets its field and adds its mask path in schema order") {
  SpecFlags f;
  f.image = "registry.local:5000/web:1.2";
  f.running = false;
  f.containers = "3";
  f.ports = std::vector<std::string>{"8080:80", "127.0.0.1:9100:9100/tcp"};
  f.env = std::vector<std::string>{"A=1", "B=two"};
  f.volumes = std::vector<std::string>{"/srv:/srv:ro"};
  f.devices = std::vector<std::string>{"/dev/null"};
  f.privileged = true;
  f.networks = std::vector<std::string>{"backend", "frontend"};
  f.rolling = true;
  f.max_unavailable = "2";
  f.min_ready_seconds = "10";
  f.health_gated = true;
  f.pull = "always";
  f.command = std::vector<std::string>{"/bin/sh"};
  f.args = std::vector<std::string>{"-c", "echo hi"};
  f.cpus = "0.5";
  f.memory = "256";
  f.labels = std::vector<std::string>{"team=core"};
  f.restart_policy = "on-failure";

  const auto change = BuildSpecChange(f);
  const auto& s = change.spec;
  CHECK(s.image() == "registry.local:5000/web:1.2");
  CHECK(s.has_running());
  CHECK_FALSE(s.running());
  CHECK(s.containers_per().instance() == 3);
  REQUIRE(s.ports_size() == 2);
  CHECK(s.ports(1).host_ip() == "127.0.0.1");
  CHECK(s.env().at("B") == "two");
  CHECK(s.volumes(0).read_only());
  CHECK(s.devices(0).host_path() == "/dev/null");
  CHECK(s.privileged());
  CHECK(s.networks_size() == 2);
  CHECK(s.update_strategy().rolling());
  CHECK(s.update_strategy().max_unavailable() == 2);
  CHECK(s.update_strategy().min_ready_seconds() == 10);
  CHECK(s.update_strategy().health_gated());
  CHECK(s.pull_policy() == v1::PULL_POLICY_ALWAYS);
  CHECK(s.command_size() == 1);
  CHECK(s.args(1) == "echo hi");
  CHECK(s.resources().cpus() == 0.5);
  CHECK(s.resources().memory_mb() == 256);
  CHECK(s.labels().at("team") == "core");
  CHECK(s.restart_policy() == v1::RESTART_POLICY_ON_FAILURE);
  CHECK(change.update_mask == std::vector<std::string>{"spec.image",
                                                       "spec.running",
                                                       "spec.containers_per",
                                                       "spec.ports",
                                                       "spec.env",
                                                       "spec.volumes",
                                                       "spec.devices",
                                                       "spec.privileged",
                                                       "spec.networks",
                                                       "spec.update_strategy.rolling",
                                                       "spec.update_strategy.max_unavailable",
                                                       "spec.update_strategy.min_ready_seconds",
                                                       "spec.update_strategy.health_gated",
                                                       "spec.pull_policy",
                                                       "spec.command",
                                                       "spec.args",
                                                       "spec.resources.cpus",
                                                       "spec.resources.memory_mb",
                                                       "spec.labels",
                                                       "spec.restart_policy"});
}

TEST_CASE("Only the given flags appear in the mask") {
  SpecFlags f;
  f.env = std::vector<std::string>{"GREETING=bye"};
  auto change = BuildSpecChange(f);
  CHECK(change.update_mask == std::vector<std::string>{"spec.env"});
  CHECK(change.spec.image().empty());

  f = {};
  f.privileged = false;  // --no-privileged must still be sent
  f.memory = "0";
  change = BuildSpecChange(f);
  CHECK(change.update_mask == std::vector<std::string>{"spec.privileged", "spec.resources.memory_mb"});
}

TEST_CASE("Flag --containers-per sets the oneof") {
  SpecFlags f;
  f.containers_per = "memory=512";
  const auto change = BuildSpecChange(f);
  CHECK(change.spec.containers_per().per_case() == v1::ContainersPer::kMemoryMb);
  CHECK(change.update_mask == std::vector<std::string>{"spec.containers_per"});
}

TEST_CASE("Flag --clear empties a list or map field") {
  SpecFlags f;
  f.clear = {"env", "ports"};
  const auto change = BuildSpecChange(f);
  CHECK(change.update_mask == std::vector<std::string>{"spec.ports", "spec.env"});
  CHECK(change.spec.ports_size() == 0);
  CHECK(change.spec.env().empty());
}

TEST_CASE("Bad flag combinations and values name the flag") {
  SpecFlags f;
  f.clear = {"image"};
  CHECK_THAT(RejectionOf([&] { BuildSpecChange(f); }, "--clear"), Catch::Contains("ports, env"));

  f = {};
  f.clear = {"env"};
  f.env = std::vector<std::string>{"A=1"};
  CHECK_THAT(RejectionOf([&] { BuildSpecChange(f); }, "--clear"), Catch::Contains("--env"));

  f = {};
  f.containers = "2";
  f.containers_per = "cpu=1";
  CHECK_THAT(RejectionOf([&] { BuildSpecChange(f); }, "--containers"), Catch::Contains("--containers-per"));

  f = {};
  f.env = std::vector<std::string>{"A=1", "A=2"};
  CHECK_THAT(RejectionOf([&] { BuildSpecChange(f); }, "--env"), Catch::Contains("more than once"));

  const std::vector<std::pair<std::string, std::function<void(SpecFlags&)>>> cases = {
      {"--image", [](SpecFlags& s) { s.image = ""; }},
      {"--containers", [](SpecFlags& s) { s.containers = "0"; }},
      {"--containers", [](SpecFlags& s) { s.containers = "three"; }},
      {"--cpus", [](SpecFlags& s) { s.cpus = "-1"; }},
      {"--cpus", [](SpecFlags& s) { s.cpus = "lots"; }},
      {"--memory", [](SpecFlags& s) { s.memory = "1.5"; }},
      {"--max-unavailable", [](SpecFlags& s) { s.max_unavailable = "-1"; }},
      {"--min-ready-seconds", [](SpecFlags& s) { s.min_ready_seconds = "5s"; }},
      {"--network", [](SpecFlags& s) { s.networks = std::vector<std::string>{""}; }},
      {"--port",
       [](SpecFlags& s) {
         s.ports = std::vector<std::string>{"8080:80", "oops"};
       }},
      {"--label", [](SpecFlags& s) { s.labels = std::vector<std::string>{"novalue"}; }},
      {"--pull", [](SpecFlags& s) { s.pull = "newer"; }},
  };
  for (const auto& [flag, set] : cases) {
    INFO(flag);
    f = {};
    set(f);
    RejectionOf([&] { BuildSpecChange(f); }, flag);
  }
}
