#include "common/validation.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

using nebula::FieldViolation;
using nebula::v1::AppSpec;

namespace {

AppSpec ValidSpec() {
  AppSpec spec;
  spec.set_image("nginx:1.25");
  return spec;
}

std::vector<FieldViolation> Check(const AppSpec& spec) { return nebula::ValidateAppSpec(spec, "app.spec"); }

// The single violation of a check that must find exactly one problem.
FieldViolation Only(const std::vector<FieldViolation>& violations) {
  for (const auto& v : violations) UNSCOPED_INFO(v.field << ": " << v.description);
  REQUIRE(violations.size() == 1);
  return violations.front();
}

bool Mentions(const FieldViolation& v, const std::string& text) {
  return v.description.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("a minimal spec with only an image is valid") { CHECK(Check(ValidSpec()).empty()); }

TEST_CASE("a spec using every field correctly is valid") {
  AppSpec spec = ValidSpec();
  spec.set_running(false);
  spec.mutable_containers_per()->set_instance(3);
  auto* port = spec.add_ports();
  port->set_host_port(8000);
  port->set_container_port(80);
  port->set_protocol(nebula::v1::PROTOCOL_TCP);
  port->set_host_ip("127.0.0.1");
  auto* udp = spec.add_ports();
  udp->set_host_port(8000);  // same port, other protocol
  udp->set_container_port(53);
  udp->set_protocol(nebula::v1::PROTOCOL_UDP);
  (*spec.mutable_env())["PATH"] = "/bin";
  (*spec.mutable_env())["_private9"] = "";
  auto* vol = spec.add_volumes();
  vol->set_source("/srv/data");
  vol->set_target("/data");
  auto* named = spec.add_volumes();
  named->set_source("cache.v1");
  named->set_target("/cache");
  named->set_read_only(true);
  auto* dev = spec.add_devices();
  dev->set_host_path("/dev/ttyUSB0");
  dev->set_permissions("rw");
  spec.set_privileged(true);
  spec.add_networks("backend");
  spec.add_networks("frontend_1");
  spec.mutable_update_strategy()->set_rolling(true);
  spec.mutable_update_strategy()->set_max_unavailable(2);
  spec.mutable_update_strategy()->set_min_ready_seconds(10);
  spec.set_pull_policy(nebula::v1::PULL_POLICY_ALWAYS);
  spec.set_restart_nonce(7);
  spec.add_command("/bin/sh");
  spec.add_args("-c");
  spec.add_args("echo hi");
  spec.mutable_resources()->set_cpus(0.5);
  spec.mutable_resources()->set_memory_mb(64);
  (*spec.mutable_labels())["com.example.team"] = "core";
  spec.set_restart_policy(nebula::v1::RESTART_POLICY_ON_FAILURE);
  for (const auto& v : Check(spec)) FAIL(v.field << ": " << v.description);
}

TEST_CASE("app names are DNS labels") {
  for (const char* good : {"a", "web", "web-1", "0", "a1-b2-c3", "123"}) {
    INFO(good);
    CHECK(nebula::ValidateAppName(good, "app.name").empty());
  }
  CHECK(nebula::ValidateAppName(std::string(63, 'a'), "app.name").empty());

  for (const char* bad : {"", "-web", "web-", "Web", "web_1", "web.1", "web 1", "wéb", "web/1"}) {
    INFO(bad);
    auto v = Only(nebula::ValidateAppName(bad, "app.name"));
    CHECK(v.field == "app.name");
    CHECK(Mentions(v, "DNS label"));
  }
  auto too_long = Only(nebula::ValidateAppName(std::string(64, 'a'), "name"));
  CHECK(too_long.field == "name");
  CHECK(Mentions(too_long, "64 characters"));
  CHECK(Mentions(Only(nebula::ValidateAppName("", "name")), "required"));
  CHECK(Only(nebula::ValidateAppName(std::string("a\0b", 3), "name")).description.find('\0') == std::string::npos);
}

TEST_CASE("image references follow the Docker reference grammar") {
  for (const char* good :
       {"nginx", "nginx:1.25", "library/nginx:latest", "docker.io/library/nginx", "registry.example.com/team/app:1.0",
        "registry.example.com:5000/team/app", "localhost/app", "localhost:5000/app:dev", "127.0.0.1:5000/app",
        "[::1]:5000/app", "my-registry.local/a/b/c/d", "a__b/c.d/e--f/g_h", "nginx:Tag_1.2-rc",
        "nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "Registry.Example.com/app", "nebtest/busybox:1",
        "registry.com:5000"}) {  // like docker: repository "registry.com", tag "5000"
    INFO(good);
    CHECK_FALSE(nebula::ImageReferenceProblem(good).has_value());
  }
  struct Bad {
    const char* image;
    const char* mention;
  };
  for (const Bad& bad : {
           Bad{"", "required"},
           Bad{"Nginx", "lowercase"},
           Bad{"team/App", "lowercase"},
           Bad{"nginx:", "tag"},
           Bad{"nginx:.hidden", "tag"},
           Bad{"nginx:-x", "tag"},
           Bad{"nginx:a/b", "tag"},
           Bad{"nginx@sha256:abc", "digest"},
           Bad{"nginx@md5:0123456789abcdef0123456789abcdef", "digest"},
           Bad{"nginx@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "digest"},
           Bad{"registry:99999/app", "port"},
           Bad{"registry:0/app", "port"},
           Bad{"registry:abc/app", "port"},
           Bad{"-registry.com/app", "registry host"},
           Bad{"reg_istry.com/app", "registry host"},
           Bad{"[::1/app", "']'"},
           Bad{"[zz::1]:5000/app", "IPv6"},
           Bad{"/app", "empty component"},
           Bad{"app/", "empty component"},
           Bad{"a//b", "empty component"},
           Bad{"a..b", "path component"},
           Bad{"a___b", "path component"},
           Bad{"_a", "path component"},
           Bad{"a-", "path component"},
           Bad{"a b", "path component"},
           Bad{"registry.com/", "path is missing"},
       }) {
    INFO(bad.image);
    auto problem = nebula::ImageReferenceProblem(bad.image);
    REQUIRE(problem.has_value());
    CHECK(problem->find(bad.mention) != std::string::npos);
  }
  CHECK(nebula::ImageReferenceProblem(std::string(513, 'a'))->find("at most 512") != std::string::npos);
  CHECK(nebula::ImageReferenceProblem(std::string(256, 'a'))->find("at most 255") != std::string::npos);
  CHECK_FALSE(nebula::ImageReferenceProblem(std::string(255, 'a')).has_value());
  CHECK_FALSE(nebula::ImageReferenceProblem("a:" + std::string(128, 't')).has_value());
  CHECK(nebula::ImageReferenceProblem("a:" + std::string(129, 't')).has_value());
}

TEST_CASE("image problems are reported on the image field") {
  AppSpec spec;
  auto v = Only(Check(spec));
  CHECK(v.field == "app.spec.image");
  CHECK(Mentions(v, "required"));
  CHECK(Mentions(v, "nginx:1.25"));  // shows an example of what is allowed
}

TEST_CASE("containers_per: one key, above zero") {
  AppSpec spec = ValidSpec();
  SECTION("unset means one per host") { CHECK(Check(spec).empty()); }
  SECTION("instance 1..1000") {
    spec.mutable_containers_per()->set_instance(1000);
    CHECK(Check(spec).empty());
    for (int bad : {0, -1, 1001}) {
      spec.mutable_containers_per()->set_instance(bad);
      CHECK(Only(Check(spec)).field == "app.spec.containers_per.instance");
    }
  }
  SECTION("cpu above zero, finite") {
    spec.mutable_containers_per()->set_cpu(0.5);
    CHECK(Check(spec).empty());
    for (double bad : {0.0, -1.0, 1001.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
      spec.mutable_containers_per()->set_cpu(bad);
      CHECK(Only(Check(spec)).field == "app.spec.containers_per.cpu");
    }
  }
  SECTION("memory_mb above zero") {
    spec.mutable_containers_per()->set_memory_mb(512);
    CHECK(Check(spec).empty());
    for (int64_t bad : {int64_t{0}, int64_t{-5}, int64_t{1} << 40}) {
      spec.mutable_containers_per()->set_memory_mb(bad);
      CHECK(Only(Check(spec)).field == "app.spec.containers_per.memory_mb");
    }
  }
  SECTION("the last key set wins, as in any proto oneof") {
    spec.mutable_containers_per()->set_cpu(2);
    spec.mutable_containers_per()->set_instance(3);
    CHECK(spec.containers_per().per_case() == nebula::v1::ContainersPer::kInstance);
    CHECK(Check(spec).empty());
  }
}

TEST_CASE("ports: ranges, protocol, address") {
  AppSpec spec = ValidSpec();
  auto* p = spec.add_ports();
  p->set_host_port(8080);
  p->set_container_port(80);
  CHECK(Check(spec).empty());

  SECTION("host_port 1..65535") {
    for (uint32_t bad : {0u, 65536u, 100000u}) {
      p->set_host_port(bad);
      auto v = Only(Check(spec));
      CHECK(v.field == "app.spec.ports[0].host_port");
      CHECK(Mentions(v, "1 to 65535"));
    }
    p->set_host_port(65535);
    CHECK(Check(spec).empty());
  }
  SECTION("container_port 1..65535") {
    for (uint32_t bad : {0u, 65536u}) {
      p->set_container_port(bad);
      CHECK(Only(Check(spec)).field == "app.spec.ports[0].container_port");
    }
  }
  SECTION("protocol must be a known value") {
    p->set_protocol(static_cast<nebula::v1::Protocol>(7));
    CHECK(Only(Check(spec)).field == "app.spec.ports[0].protocol");
  }
  SECTION("host_ip empty or an IP literal") {
    for (const char* good : {"", "127.0.0.1", "0.0.0.0", "::1", "::", "fe80::1", "2001:db8::8a2e:370:7334"}) {
      p->set_host_ip(good);
      INFO(good);
      CHECK(Check(spec).empty());
    }
    for (const char* bad : {"localhost", "256.1.1.1", "1.2.3", "[::1]", "::1%eth0", " 127.0.0.1", "1.2.3.4:80"}) {
      p->set_host_ip(bad);
      INFO(bad);
      CHECK(Only(Check(spec)).field == "app.spec.ports[0].host_ip");
    }
  }
  SECTION("the highest port of the last container must exist") {
    spec.mutable_containers_per()->set_instance(10);
    p->set_host_port(65526);  // 65526 + 9 = 65535
    CHECK(Check(spec).empty());
    p->set_host_port(65527);
    auto v = Only(Check(spec));
    CHECK(v.field == "app.spec.ports[0].host_port");
    CHECK(Mentions(v, "65536"));
    CHECK(Mentions(v, "at most 65526"));
  }
  SECTION("per-host counts that depend on the host are not range-checked") {
    spec.mutable_containers_per()->set_cpu(4);
    p->set_host_port(65535);
    CHECK(Check(spec).empty());
  }
}

TEST_CASE("ports: no two mappings bind the same host port") {
  AppSpec spec = ValidSpec();
  auto add = [&](uint32_t host, nebula::v1::Protocol protocol = nebula::v1::PROTOCOL_UNSPECIFIED, const char* ip = "") {
    auto* p = spec.add_ports();
    p->set_host_port(host);
    p->set_container_port(80);
    p->set_protocol(protocol);
    p->set_host_ip(ip);
  };
  SECTION("unspecified protocol is tcp") {
    add(8080);
    add(8080, nebula::v1::PROTOCOL_TCP);
    auto v = Only(Check(spec));
    CHECK(v.field == "app.spec.ports[1].host_port");
    CHECK(Mentions(v, "ports[0]"));
    CHECK(Mentions(v, "tcp host port 8080"));
  }
  SECTION("tcp and udp may share a port") {
    add(8080, nebula::v1::PROTOCOL_TCP);
    add(8080, nebula::v1::PROTOCOL_UDP);
    CHECK(Check(spec).empty());
  }
  SECTION("different specific addresses may share a port") {
    add(8080, nebula::v1::PROTOCOL_TCP, "127.0.0.1");
    add(8080, nebula::v1::PROTOCOL_TCP, "127.0.0.2");
    CHECK(Check(spec).empty());
  }
  SECTION("a wildcard address clashes with a specific one") {
    add(8080, nebula::v1::PROTOCOL_TCP, "127.0.0.1");
    add(8080, nebula::v1::PROTOCOL_TCP, "0.0.0.0");
    CHECK(Only(Check(spec)).field == "app.spec.ports[1].host_port");
  }
  SECTION("ranges of several containers must not overlap") {
    spec.mutable_containers_per()->set_instance(3);
    add(8000);  // 8000-8002
    add(8003);  // 8003-8005: fine
    CHECK(Check(spec).empty());
    add(8002);  // 8002-8004 overlaps both; reported once
    auto v = Only(Check(spec));
    CHECK(v.field == "app.spec.ports[2].host_port");
    CHECK(Mentions(v, "overlap"));
  }
  SECTION("many duplicates give one violation per later mapping") {
    for (int i = 0; i < 5; ++i) add(9000);
    CHECK(Check(spec).size() == 4);
  }
}

TEST_CASE("ports are meaningless with host or none networking") {
  AppSpec spec = ValidSpec();
  spec.add_networks("host");
  CHECK(Check(spec).empty());
  auto* p = spec.add_ports();
  p->set_host_port(80);
  p->set_container_port(80);
  auto v = Only(Check(spec));
  CHECK(v.field == "app.spec.ports");
}

TEST_CASE("too many port mappings are refused before any pairwise check") {
  AppSpec spec = ValidSpec();
  for (int i = 0; i < 1001; ++i) {
    auto* p = spec.add_ports();
    p->set_host_port(1);
    p->set_container_port(1);
  }
  auto v = Only(Check(spec));
  CHECK(v.field == "app.spec.ports");
  CHECK(Mentions(v, "at most 1000"));
}

TEST_CASE("env names and values") {
  AppSpec spec = ValidSpec();
  auto& env = *spec.mutable_env();
  env["A"] = "1";
  env["_"] = "";
  env["lower_case_9"] = "x=y";
  CHECK(Check(spec).empty());

  for (const char* bad : {"1ABC", "A-B", "A.B", "A B", "Ä"}) {
    AppSpec s = spec;
    (*s.mutable_env())[bad] = "v";
    INFO(bad);
    auto v = Only(Check(s));
    CHECK(v.field == "app.spec.env[" + nebula::QuoteForMessage(bad) + "]");
    CHECK(Mentions(v, "[A-Za-z_][A-Za-z0-9_]*"));
  }
  SECTION("empty name") {
    env[""] = "v";
    CHECK(Mentions(Only(Check(spec)), "must not be empty"));
  }
  SECTION("NUL in a value") {
    env["B"] = std::string("a\0b", 3);
    auto v = Only(Check(spec));
    CHECK(v.field == "app.spec.env[\"B\"]");
    CHECK(Mentions(v, "NUL"));
  }
  SECTION("violations come in name order") {
    env["Z-"] = "";
    env["A-"] = "";
    auto vs = Check(spec);
    REQUIRE(vs.size() == 2);
    CHECK(vs[0].field == "app.spec.env[\"A-\"]");
    CHECK(vs[1].field == "app.spec.env[\"Z-\"]");
  }
}

TEST_CASE("volumes") {
  AppSpec spec = ValidSpec();
  auto* v = spec.add_volumes();
  v->set_source("/srv/data");
  v->set_target("/data");
  CHECK(Check(spec).empty());

  SECTION("source is a path or a volume name") {
    for (const char* good : {"/", "/a b/c", "data", "my-vol_1.2", "Data9"}) {
      v->set_source(good);
      INFO(good);
      CHECK(Check(spec).empty());
    }
    for (const char* bad : {"", "./data", "data/sub", "-vol", ".vol", "a", "vol:ro", "~/data"}) {
      v->set_source(bad);
      INFO(bad);
      CHECK(Only(Check(spec)).field == "app.spec.volumes[0].source");
    }
  }
  SECTION("target is absolute and not the root") {
    for (const char* bad : {"", "data", "./data", "/", "//"}) {
      v->set_target(bad);
      INFO(bad);
      CHECK(Only(Check(spec)).field == "app.spec.volumes[0].target");
    }
  }
  SECTION("a target is mounted once, trailing slashes ignored") {
    auto* w = spec.add_volumes();
    w->set_source("other");
    w->set_target("/data/");
    auto violation = Only(Check(spec));
    CHECK(violation.field == "app.spec.volumes[1].target");
    CHECK(Mentions(violation, "volumes[0]"));
  }
}

TEST_CASE("devices") {
  AppSpec spec = ValidSpec();
  auto* d = spec.add_devices();
  d->set_host_path("/dev/fuse");
  CHECK(Check(spec).empty());

  SECTION("host_path absolute") {
    for (const char* bad : {"", "dev/fuse", "fuse"}) {
      d->set_host_path(bad);
      CHECK(Only(Check(spec)).field == "app.spec.devices[0].host_path");
    }
  }
  SECTION("container_path empty or absolute") {
    d->set_container_path("/dev/other");
    CHECK(Check(spec).empty());
    d->set_container_path("dev/other");
    CHECK(Only(Check(spec)).field == "app.spec.devices[0].container_path");
  }
  SECTION("permissions a subset of rwm") {
    for (const char* good : {"", "r", "w", "m", "rw", "mwr", "rwm"}) {
      d->set_permissions(good);
      CHECK(Check(spec).empty());
    }
    for (const char* bad : {"x", "rwx", "rr", "R", "rw m"}) {
      d->set_permissions(bad);
      INFO(bad);
      auto v = Only(Check(spec));
      CHECK(v.field == "app.spec.devices[0].permissions");
      CHECK(Mentions(v, "'r', 'w', 'm'"));
    }
  }
  SECTION("two devices cannot land on the same container path") {
    auto* e = spec.add_devices();
    e->set_host_path("/dev/other");
    e->set_container_path("/dev/fuse");
    CHECK(Only(Check(spec)).field == "app.spec.devices[1].container_path");
  }
}

TEST_CASE("networks") {
  AppSpec spec = ValidSpec();
  SECTION("valid names") {
    spec.add_networks("bridge");
    spec.add_networks("my_net.1-a");
    CHECK(Check(spec).empty());
  }
  SECTION("host and none stand alone") {
    for (const char* special : {"host", "none"}) {
      AppSpec s = ValidSpec();
      s.add_networks(special);
      CHECK(Check(s).empty());
      s.add_networks("backend");
      auto v = Only(Check(s));
      CHECK(v.field == "app.spec.networks[0]");
      CHECK(Mentions(v, "only network"));
    }
  }
  SECTION("bad names and duplicates") {
    spec.add_networks("ok");
    spec.add_networks("container:abc");
    spec.add_networks("");
    spec.add_networks("ok");
    auto vs = Check(spec);
    REQUIRE(vs.size() == 3);
    CHECK(vs[0].field == "app.spec.networks[1]");
    CHECK(vs[1].field == "app.spec.networks[2]");
    CHECK(vs[2].field == "app.spec.networks[3]");
    CHECK(Mentions(vs[2], "twice"));
  }
}

TEST_CASE("update strategy bounds") {
  AppSpec spec = ValidSpec();
  auto* u = spec.mutable_update_strategy();
  u->set_rolling(true);
  u->set_max_unavailable(1000);
  u->set_min_ready_seconds(3600);
  u->set_health_gated(true);
  CHECK(Check(spec).empty());
  u->set_max_unavailable(1001);
  CHECK(Only(Check(spec)).field == "app.spec.update_strategy.max_unavailable");
  u->set_max_unavailable(0);
  u->set_min_ready_seconds(3601);
  CHECK(Only(Check(spec)).field == "app.spec.update_strategy.min_ready_seconds");
}

TEST_CASE("resources") {
  AppSpec spec = ValidSpec();
  auto* r = spec.mutable_resources();
  for (double good : {0.0, 0.01, 1.5, 4096.0}) {
    r->set_cpus(good);
    CHECK(Check(spec).empty());
  }
  for (double bad : {-0.5, 0.001, 4097.0, std::nan(""), -std::numeric_limits<double>::infinity()}) {
    r->set_cpus(bad);
    CHECK(Only(Check(spec)).field == "app.spec.resources.cpus");
  }
  r->set_cpus(0);
  for (int64_t good : {int64_t{0}, int64_t{6}, int64_t{4096}}) {
    r->set_memory_mb(good);
    CHECK(Check(spec).empty());
  }
  for (int64_t bad : {int64_t{-1}, int64_t{1}, int64_t{5}, int64_t{1} << 31}) {
    r->set_memory_mb(bad);
    auto v = Only(Check(spec));
    CHECK(v.field == "app.spec.resources.memory_mb");
    CHECK(Mentions(v, "dockerd's minimum"));
  }
}

TEST_CASE("labels") {
  AppSpec spec = ValidSpec();
  (*spec.mutable_labels())["com.example.a"] = "1";
  (*spec.mutable_labels())["dev.nebulax"] = "not reserved";
  CHECK(Check(spec).empty());
  for (const char* reserved : {"dev.nebula.app", "dev.nebula.", "DEV.Nebula.x", "dev.nebula"}) {
    AppSpec s = spec;
    (*s.mutable_labels())[reserved] = "x";
    INFO(reserved);
    auto v = Only(Check(s));
    CHECK(v.field == "app.spec.labels[" + nebula::QuoteForMessage(reserved) + "]");
    CHECK(Mentions(v, "reserved"));
  }
  AppSpec empty_key = spec;
  (*empty_key.mutable_labels())[""] = "x";
  CHECK(Mentions(Only(Check(empty_key)), "empty"));
  AppSpec nul = spec;
  (*nul.mutable_labels())["a"] = std::string("\0", 1);
  CHECK(Mentions(Only(Check(nul)), "NUL"));
}

TEST_CASE("command and args carry no NUL") {
  AppSpec spec = ValidSpec();
  spec.add_command("sh");
  spec.add_command(std::string("a\0", 2));
  spec.add_args("");
  spec.add_args(std::string("\0", 1));
  auto vs = Check(spec);
  REQUIRE(vs.size() == 2);
  CHECK(vs[0].field == "app.spec.command[1]");
  CHECK(vs[1].field == "app.spec.args[1]");
}

TEST_CASE("enums must be known values") {
  AppSpec spec = ValidSpec();
  spec.set_pull_policy(static_cast<nebula::v1::PullPolicy>(42));
  spec.set_restart_policy(static_cast<nebula::v1::RestartPolicy>(-1));
  auto vs = Check(spec);
  REQUIRE(vs.size() == 2);
  CHECK(vs[0].field == "app.spec.pull_policy");
  CHECK(vs[1].field == "app.spec.restart_policy");
}

TEST_CASE("an oversized spec is refused as a whole") {
  AppSpec spec = ValidSpec();
  (*spec.mutable_env())["BIG"] = std::string(nebula::kMaxAppSpecBytes, 'x');
  auto v = Only(Check(spec));
  CHECK(v.field == "app.spec");
  CHECK(Mentions(v, "at most 262144"));
}

TEST_CASE("every problem is reported at once") {
  AppSpec spec;
  spec.mutable_containers_per()->set_instance(0);
  auto* p = spec.add_ports();
  p->set_host_port(0);
  p->set_container_port(0);
  (*spec.mutable_env())["1"] = "";
  auto vs = Check(spec);
  CHECK(vs.size() == 5);
}

TEST_CASE("an empty prefix gives bare field names") {
  AppSpec spec;
  CHECK(Only(nebula::ValidateAppSpec(spec, "")).field == "image");
}

TEST_CASE("QuoteForMessage keeps messages printable and short") {
  CHECK(nebula::QuoteForMessage("abc") == "\"abc\"");
  CHECK(nebula::QuoteForMessage("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(nebula::QuoteForMessage(std::string("\0\n\xff", 3)) == "\"\\x00\\x0a\\xff\"");
  std::string quoted = nebula::QuoteForMessage(std::string(1000, 'x'));
  CHECK(quoted.size() == 64 + 2 + 3);
  CHECK(quoted.substr(quoted.size() - 4) == "...\"");
}

TEST_CASE("no input crashes validation") {
  // Random bytes parsed as an AppSpec exercise unknown enum values, odd strings and nesting.
  uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 24;
  };
  AppSpec templ = ValidSpec();
  templ.add_ports()->set_host_port(1);
  (*templ.mutable_env())["A"] = "b";
  templ.add_volumes()->set_source("x");
  std::string base = templ.SerializeAsString();
  for (int round = 0; round < 2000; ++round) {
    std::string bytes = base;
    for (int k = 0; k < 4; ++k) bytes[next() % bytes.size()] = char(next() & 0x7f);  // stay valid UTF-8
    AppSpec spec;
    if (!spec.ParseFromString(bytes)) continue;
    for (const auto& v : nebula::ValidateAppSpec(spec, "s")) {
      CHECK_FALSE(v.field.empty());
      CHECK_FALSE(v.description.empty());
    }
  }
}
