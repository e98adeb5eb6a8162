#include <catch2/catch.hpp>

#include <functional>

#include "../test_apps.h"
#include "worker-agent/core/config_hash.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using nebula::v1::AppSpec;

namespace {

std::string Hash(const AppSpec& spec, int64_t generation = 1, int32_t index = 0,
                 const AgentSettings& settings = kSettings) {
  return BuildContainerSpec("web", spec, generation, index, settings).config_hash;
}

}  // namespace

TEST_CASE("the config hash is SHA-256 hex and deterministic", "[unit][hash]") {
  const auto h = Hash(WebSpec());
  CHECK(h.size() == 64);
  CHECK(h.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(Hash(WebSpec()) == h);
}

TEST_CASE("the config hash is pinned across agent versions", "[unit][hash]") {
  // Changing these values restarts every container of every fleet on upgrade: only on purpose.
  const auto spec = BuildContainerSpec("web", WebSpec(), 1, 0, kSettings);
  CHECK(CanonicalConfig(spec) ==
        "format:19:nebula-container-v1;app:3:web;image:13:nebtest/web:1;env:3:[1];:9:MODE=test;ports:3:[2];"
        "-:0:;host_ip:9:127.0.0.1;host_port:4:8080;container_port:2:80;protocol:3:tcp;"
        "-:0:;host_ip:9:127.0.0.1;host_port:4:9100;container_port:4:9100;protocol:3:tcp;"
        "restart_policy:14:unless-stopped;");
  // sha256 of the text above, checked with python's hashlib.
  CHECK(spec.config_hash == "1da763e141f5b2e07b0983768e6a4fa8120a559dab9d3101a9b02d49905a8c9e");
}

TEST_CASE("the config hash ignores what does not affect the container", "[unit][hash]") {
  const auto base = Hash(WebSpec());
  CHECK(Hash(WebSpec(), 2) == base);                                                 // generation alone
  CHECK(Hash(WebSpec(), 1, 0, AgentSettings{"other-worker", "127.0.0.1"}) == base);  // worker id

  AppSpec s = WebSpec();
  s.set_running(true);  // unset means true
  CHECK(Hash(s) == base);
  s = WebSpec();
  s.mutable_update_strategy()->set_rolling(true);
  s.mutable_update_strategy()->set_max_unavailable(2);
  CHECK(Hash(s) == base);
  s = WebSpec();
  s.set_pull_policy(nebula::v1::PULL_POLICY_ALWAYS);
  CHECK(Hash(s) == base);
  s = WebSpec();
  s.set_pull_nonce(5);  // "pull" replaces by image ID, never by hash
  CHECK(Hash(s) == base);
  s = WebSpec();
  s.mutable_containers_per()->set_instance(7);  // the count changes which indexes exist, not index 0
  CHECK(Hash(s) == base);
  s = WebSpec();
  (*s.mutable_labels())["dev.nebula.config-hash"] = "x";  // reserved labels are dropped
  CHECK(Hash(s) == base);
  s = WebSpec();
  s.set_restart_policy(nebula::v1::RESTART_POLICY_UNLESS_STOPPED);  // the default, spelled out
  CHECK(Hash(s) == base);
}

TEST_CASE("env order does not matter", "[unit][hash]") {
  AppSpec a = WebSpec(), b = WebSpec();
  a.mutable_env()->clear();
  b.mutable_env()->clear();
  (*a.mutable_env())["X"] = "1";
  (*a.mutable_env())["Y"] = "2";
  (*b.mutable_env())["Y"] = "2";
  (*b.mutable_env())["X"] = "1";
  CHECK(Hash(a) == Hash(b));
}

TEST_CASE("the config hash changes with everything that affects the container", "[unit][hash]") {
  const auto base = Hash(WebSpec());
  const std::vector<std::pair<const char*, std::function<void(AppSpec&)>>> changes = {
      {"image", [](AppSpec& s) { s.set_image("nebtest/web:2"); }},
      {"env value", [](AppSpec& s) { (*s.mutable_env())["MODE"] = "prod"; }},
      {"env added", [](AppSpec& s) { (*s.mutable_env())["NEW"] = ""; }},
      {"host port", [](AppSpec& s) { s.mutable_ports(0)->set_host_port(8081); }},
      {"container port", [](AppSpec& s) { s.mutable_ports(0)->set_container_port(81); }},
      {"protocol", [](AppSpec& s) { s.mutable_ports(0)->set_protocol(nebula::v1::PROTOCOL_UDP); }},
      {"host ip", [](AppSpec& s) { s.mutable_ports(0)->set_host_ip("0.0.0.0"); }},
      {"command", [](AppSpec& s) { s.add_command("/bin/sh"); }},
      {"args", [](AppSpec& s) { s.add_args("-x"); }},
      {"volume", [](AppSpec& s) { s.add_volumes()->set_target("/data"); }},
      {"device", [](AppSpec& s) { s.add_devices()->set_host_path("/dev/null"); }},
      {"privileged", [](AppSpec& s) { s.set_privileged(true); }},
      {"networks", [](AppSpec& s) { s.add_networks("host"); }},
      {"cpus", [](AppSpec& s) { s.mutable_resources()->set_cpus(1); }},
      {"memory", [](AppSpec& s) { s.mutable_resources()->set_memory_mb(64); }},
      {"labels", [](AppSpec& s) { (*s.mutable_labels())["team"] = "x"; }},
      {"restart policy", [](AppSpec& s) { s.set_restart_policy(nebula::v1::RESTART_POLICY_ALWAYS); }},
      {"restart nonce", [](AppSpec& s) { s.set_restart_nonce(1); }},
  };
  for (const auto& [what, change] : changes) {
    INFO(what);
    AppSpec s = WebSpec();
    change(s);
    CHECK(Hash(s) != base);
  }
  CHECK(Hash(WebSpec(), 1, 1) != base);                                 // index (its ports differ)
  CHECK(Hash(WebSpec(), 1, 0, AgentSettings{"worker-1", ""}) != base);  // default host ip reaches the ports
}

TEST_CASE("the canonical form cannot be confused by separators in values", "[unit][hash]") {
  AppSpec a = WebSpec(), b = WebSpec();
  a.add_args("a b");
  b.add_args("a");
  b.add_args("b");
  CHECK(Hash(a) != Hash(b));

  AppSpec c = WebSpec(), d = WebSpec();
  (*c.mutable_env())["A"] = "1;env:3:B=2";
  (*d.mutable_env())["A"] = "1";
  (*d.mutable_env())["B"] = "2";
  CHECK(Hash(c) != Hash(d));

  AppSpec e = WebSpec(), f = WebSpec();
  e.add_volumes()->set_source("/x");
  e.add_volumes();
  f.add_volumes();
  f.add_volumes()->set_source("/x");
  CHECK(Hash(e) != Hash(f));
}
