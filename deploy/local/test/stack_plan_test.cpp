#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "private_bridge.h"
#include "stack_plan.h"

using namespace nebula::devstack;
namespace fs = std::filesystem;

namespace {

EnvLookup Env(std::map<std::string, std::string> values) {
  return [values](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

UpOptions Valid() {
  UpOptions options;
  options.state_dir = "/tmp/devstack-test";
  options.kafka_libs = "/opt/kafka/libs";
  return options;
}

bool Contains(const std::vector<std::string>& args, const std::vector<std::string>& run) {
  return std::search(args.begin(), args.end(), run.begin(), run.end()) != args.end();
}

}  // namespace

TEST_CASE("default state dir follows XDG_STATE_HOME, then HOME") {
  CHECK(DefaultStateDir(Env({{"HOME", "/home/ann"}})) == fs::path("/home/ann/.local/state/nebula/devstack"));
  CHECK(DefaultStateDir(Env({{"HOME", "/home/ann"}, {"XDG_STATE_HOME", "/xdg/state"}})) ==
        fs::path("/xdg/state/nebula/devstack"));
  // The XDG spec says relative values are invalid and must be ignored.
  CHECK(DefaultStateDir(Env({{"HOME", "/home/ann"}, {"XDG_STATE_HOME", "rel"}})) ==
        fs::path("/home/ann/.local/state/nebula/devstack"));
}

TEST_CASE("default Kafka libs follow XDG_CACHE_HOME, then HOME") {
  CHECK(DefaultKafkaLibs(Env({{"HOME", "/root"}})) == fs::path("/root/.cache/nebula/kafka-3.9.1/libs"));
  CHECK(DefaultKafkaLibs(Env({{"XDG_CACHE_HOME", "/c"}})) == fs::path("/c/nebula/kafka-3.9.1/libs"));
}

TEST_CASE("ports follow the contract and never collide") {
  const StackPorts ports{kDefaultPortBase};
  CHECK(ports.ApiManager() == 20051);
  CHECK(ports.Agent(0) == 20052);
  CHECK(ports.Postgres() == 20053);
  CHECK(ports.Kafka() == 20054);
  CHECK(ports.KafkaController() == 20055);
  CHECK(ports.Registry() == 20056);
  CHECK(ports.Gateway() == 20057);
  CHECK(ports.Agent(1) == 20058);

  const auto all = ports.All(kMaxAgents, true);
  std::set<int> unique;
  for (const auto& [what, port] : all) unique.insert(port);
  CHECK(unique.size() == all.size());
  CHECK(all.size() == 6 + static_cast<std::size_t>(kMaxAgents));
}

TEST_CASE("the default ports, with every agent, stay below the kernel's ephemeral range") {
  for (const auto& [what, port] : StackPorts{kDefaultPortBase}.All(kMaxAgents, true)) {
    INFO(what);
    CHECK(port < kFirstEphemeralPort);
  }
}

TEST_CASE("ports in the ephemeral range are named in a warning with the port base that avoids them") {
  UpOptions options;
  CHECK(EphemeralPortsWarning(options, kFirstEphemeralPort, kLastEphemeralPort).empty());
  options.port_base = 50050;  // the old default: every port inside
  CHECK(EphemeralPortsWarning(options, kFirstEphemeralPort, kLastEphemeralPort) ==
        "ports 50053 (PostgreSQL), 50054 (Kafka), 50055 (Kafka controller), 50056 (registry), 50051 (api-manager), "
        "50057 (gateway), 50052 (worker agent devstack-0) lie in the kernel's ephemeral port range 32768-60999 "
        "(net.ipv4.ip_local_port_range): an outgoing connection may take one before its service binds it. A "
        "--port-base of at most 32760 avoids that (the default is 20050)");
  options.port_base = 32750;  // a range starting at 32753: PostgreSQL and above are inside, 32751/32752 not
  const std::string partly = EphemeralPortsWarning(options, 32753, 60999);
  CHECK(partly.rfind("ports 32753 (PostgreSQL), 32754 (Kafka), 32755 (Kafka controller), 32756 (registry), "
                     "32757 (gateway) lie in",
                     0) == 0);
  CHECK(partly.find("at most 32745 avoids") != std::string::npos);
}

TEST_CASE("the port list covers only what runs") {
  const StackPorts ports{30000};
  const auto infra_only = ports.All(0, false);
  CHECK(infra_only.size() == 4);
  CHECK(std::none_of(infra_only.begin(), infra_only.end(), [](const auto& p) { return p.second == 30001; }));
}

TEST_CASE("valid options pass validation") { CHECK(ValidateUpOptions(Valid()).empty()); }

TEST_CASE("bad options are each reported") {
  auto options = Valid();
  options.state_dir = "relative/dir";
  options.agents = -1;
  options.port_base = 80;
  options.apps = "Hello,ok";
  const auto problems = ValidateUpOptions(options);
  CHECK(problems.size() == 4);

  auto spaced = Valid();
  spaced.state_dir = "/tmp/with space";
  CHECK(ValidateUpOptions(spaced).size() == 1);

  auto high = Valid();
  high.port_base = 65530;
  CHECK(ValidateUpOptions(high).size() == 1);

  auto too_many = Valid();
  too_many.agents = kMaxAgents + 1;
  CHECK(ValidateUpOptions(too_many).size() == 1);

  auto empty_app = Valid();
  empty_app.apps = "a,,b";
  CHECK(ValidateUpOptions(empty_app).size() == 1);
}

TEST_CASE("endpoints derive from the port base") {
  const StackPorts ports{30000};
  CHECK(DatabaseUrl(ports) == "postgresql://postgres@127.0.0.1:30003/nebula");
  CHECK(SampleImage(ports) == "127.0.0.1:30006/nebula/hello:1");
  CHECK(WorkerId(0) == "devstack-0");
}

TEST_CASE("api-manager gets its listen address, database and brokers") {
  const auto spec = ApiManagerSpec("/b/bin", StackPorts{30000});
  CHECK(spec.program == fs::path("/b/bin/nebula-api-manager"));
  CHECK(Contains(spec.args, {"--listen", "127.0.0.1:30001"}));
  CHECK(Contains(spec.args, {"--database-url", "postgresql://postgres@127.0.0.1:30003/nebula"}));
  CHECK(Contains(spec.args, {"--kafka-brokers", "127.0.0.1:30004"}));
  CHECK(spec.stop_signal == SIGTERM);
}

TEST_CASE("each agent gets its own worker id and port") {
  const auto first = AgentSpec("/b/bin", StackPorts{30000}, 0, "hello,web", "unix:///d.sock");
  CHECK(first.name == "worker-agent-0");
  CHECK(first.program == fs::path("/b/bin/nebula-worker-agent"));
  CHECK(Contains(first.args, {"--apps", "hello,web"}));
  CHECK(Contains(first.args, {"--worker-id", "devstack-0"}));
  CHECK(Contains(first.args, {"--listen", "127.0.0.1:30002"}));
  CHECK(Contains(first.args, {"--docker-host", "unix:///d.sock"}));
  CHECK(Contains(first.args, {"--default-host-ip", "127.0.0.1"}));
  CHECK(Contains(first.args, {"--kafka-brokers", "127.0.0.1:30004"}));
  const auto second = AgentSpec("/b/bin", StackPorts{30000}, 1, "hello", "unix:///d.sock");
  CHECK(Contains(second.args, {"--worker-id", "devstack-1"}));
  CHECK(Contains(second.args, {"--listen", "127.0.0.1:30008"}));
}

TEST_CASE("postgres stops fast and listens on loopback only") {
  const auto spec =
      PostgresSpec("/usr/lib/postgresql/15/bin", "/s/postgres/data", "/s/postgres/run", StackPorts{30000});
  CHECK(spec.stop_signal == SIGINT);
  CHECK(Contains(spec.args, {"-p", "30003"}));
  CHECK(Contains(spec.args, {"-k", "/s/postgres/run"}));
  CHECK(Contains(spec.args, {"-c", "listen_addresses=127.0.0.1"}));
  CHECK(spec.working_dir == fs::path("/s/postgres"));
}

TEST_CASE("kafka runs kafka.Kafka with a small fixed heap from the jar dir") {
  const auto spec = KafkaSpec("/usr/bin/java", "/libs", "/s/kafka");
  CHECK(Contains(spec.args, {"-Xms512m", "-Xmx512m"}));
  CHECK(Contains(spec.args, {"-cp", "/libs/*", "kafka.Kafka", "/s/kafka/server.properties"}));
  CHECK(Contains(spec.args, {"-Dlog4j.configuration=file:/s/kafka/log4j.properties"}));
  const auto format = KafkaFormatSpec("/usr/bin/java", "/libs", "/s/kafka", "AAAAAAAAAAAAAAAAAAAAAA");
  CHECK(Contains(format.args, {"kafka.tools.StorageTool", "format", "--cluster-id=AAAAAAAAAAAAAAAAAAAAAA"}));
  CHECK(Contains(format.args, {"--ignore-formatted"}));
}

TEST_CASE("a private dockerd keeps everything under the state dir") {
  const auto spec = DockerdSpec("/usr/sbin/dockerd", "/s/docker", {"nebd1234abcd"});
  CHECK(Contains(spec.args, {"--data-root", "/s/docker/data"}));
  CHECK(Contains(spec.args, {"--exec-root", "/s/docker/exec"}));
  CHECK(Contains(spec.args, {"--pidfile", "/s/docker/dockerd.pid"}));
  CHECK(Contains(spec.args, {"-H", "unix:///s/docker/docker.sock"}));
  CHECK(Contains(spec.args, {"--config-file", "/s/docker/daemon.json"}));
  CHECK(PrivateDockerHost("/s/docker") == "unix:///s/docker/docker.sock");
  CHECK_FALSE(Contains(spec.args, {"--live-restore"}));
  CHECK(Contains(DockerdSpec("/usr/sbin/dockerd", "/s/docker", {"b", true}).args, {"--live-restore"}));
}

TEST_CASE("a private dockerd leaves docker0 and iptables to the system dockerd") {
  const auto spec = DockerdSpec("/usr/sbin/dockerd", "/s/docker", {"nebd1234abcd"});
  CHECK(Contains(spec.args, {"--bridge", "nebd1234abcd"}));
  CHECK(Contains(spec.args, {"--iptables=false", "--ip-masq=false", "--ip-forward=false", "--userland-proxy=true"}));
  CHECK(Contains(DockerdSpec("/usr/sbin/dockerd", "/s/docker", {}).args, {"--bridge", "none"}));
}

TEST_CASE("the private bridge's name is stable per docker dir and fits IFNAMSIZ") {
  const std::string name = PrivateBridgeName("/tmp/a/docker");
  CHECK(name.size() == 12);
  CHECK(name.rfind("nebd", 0) == 0);
  CHECK(PrivateBridgeName("/tmp/a/docker") == name);
  CHECK(PrivateBridgeName("/tmp/a/./docker") == name);
  CHECK(PrivateBridgeName("/tmp/b/docker") != name);
}

TEST_CASE("/proc/net/route destinations are read in network byte order") {
  const std::string text =
      "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
      "eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
      "docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n"
      "eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
      "garbage line\n";
  const auto routes = ParseProcNetRoute(text);
  REQUIRE(routes.size() == 2);  // the default route overlaps everything: left out
  CHECK(FormatCidr(routes[0]) == "172.17.0.0/16");
  CHECK(FormatCidr(routes[1]) == "192.168.0.0/24");
}

TEST_CASE("the bridge address is a free /24 of 10.208.0.0/12") {
  const auto chosen = ChooseBridgeAddress("/tmp/a/docker", {});
  REQUIRE(chosen);
  CHECK(chosen->prefix == 24);
  CHECK((chosen->address & 0xFFu) == 1);
  CHECK(Overlaps(*chosen, *ParseCidr("10.208.0.0/12")));
  CHECK(ChooseBridgeAddress("/tmp/a/docker", {}) == chosen);
  // Taken by a route: the next /24.
  const Ipv4Net taken{chosen->address & 0xFFFFFF00u, 24};
  const auto next = ChooseBridgeAddress("/tmp/a/docker", {taken});
  REQUIRE(next);
  CHECK_FALSE(Overlaps(*next, taken));
  CHECK_FALSE(ChooseBridgeAddress("/tmp/a/docker", {*ParseCidr("10.0.0.0/8")}));
  CHECK_FALSE(ParseCidr("10.0.0.1"));
  CHECK_FALSE(ParseCidr("10.0.0.1/33"));
  CHECK_FALSE(ParseCidr("10.0.0/24"));
  CHECK(FormatCidr(*ParseCidr("10.208.3.1/24")) == "10.208.3.1/24");
}

TEST_CASE("stack.env has every contract key") {
  const std::string text = RenderStackEnv({StackPorts{30000}, "/s", "unix:///var/run/docker.sock", 1});
  for (const char* line : {"NEBULA_ENDPOINT=127.0.0.1:30001\n", "NEBULA_AGENT_ENDPOINT=127.0.0.1:30002\n",
                           "NEBULA_DATABASE_URL=postgresql://postgres@127.0.0.1:30003/nebula\n",
                           "NEBULA_KAFKA_BROKERS=127.0.0.1:30004\n", "DOCKER_HOST=unix:///var/run/docker.sock\n",
                           "NEBULA_REGISTRY=127.0.0.1:30006\n", "NEBULA_SAMPLE_IMAGE=127.0.0.1:30006/nebula/hello:1\n",
                           "NEBULA_WORKER_ID=devstack-0\n", "NEBULA_STATE_DIR=/s\n"}) {
    CHECK(text.find(line) != std::string::npos);
  }
}

TEST_CASE("the ready summary shows the first-app command for the first app") {
  const StackEnv env{StackPorts{kDefaultPortBase}, "/s", "unix:///var/run/docker.sock", 1};
  const std::string text = RenderReadySummary(env, "web,hello", "build/bin/nebula", true);
  CHECK(text.find("NEBULA_ENDPOINT=127.0.0.1:20051 build/bin/nebula apps create web --image "
                  "127.0.0.1:20056/nebula/hello:1 --containers 3 --port 8080:80 --env GREETING=hi") !=
        std::string::npos);
  CHECK(text.find("curl 127.0.0.1:8080") != std::string::npos);
  const std::string infra = RenderReadySummary(env, "hello", "nebula", false);
  CHECK(infra.find("apps create") == std::string::npos);
}

TEST_CASE("stack.env parses back into its values") {
  const auto values = ParseStackEnv(RenderStackEnv({StackPorts{30000}, "/s", "unix:///d.sock", 2}) + "# note\n\nbad\n");
  CHECK(values.at("DOCKER_HOST") == "unix:///d.sock");
  CHECK(values.at("NEBULA_AGENTS") == "2");
  CHECK(values.at("NEBULA_DATABASE_URL") == "postgresql://postgres@127.0.0.1:30003/nebula");
  CHECK(values.at("NEBULA_GATEWAY_URL") == "http://127.0.0.1:30007");
  CHECK(values.count("bad") == 0);
  CHECK(values.size() == 11);
}

TEST_CASE("devstack --auth required: the api-manager gets the admin token in its environment only") {
  const std::string token = GenerateAdminToken();
  REQUIRE(token.rfind("devstack.", 0) == 0);
  REQUIRE(token.size() == std::string("devstack.").size() + 64);
  REQUIRE(token != GenerateAdminToken());
  const auto spec = ApiManagerSpec("/b/bin", StackPorts{30000}, token);
  REQUIRE(std::find(spec.args.begin(), spec.args.end(), "--auth") != spec.args.end());
  REQUIRE(std::find(spec.args.begin(), spec.args.end(), token) == spec.args.end());
  REQUIRE(spec.env.at("NEBULA_BOOTSTRAP_ADMIN_TOKEN") == token);
  const auto open = ApiManagerSpec("/b/bin", StackPorts{30000});
  REQUIRE(std::find(open.args.begin(), open.args.end(), "--auth") == open.args.end());
  REQUIRE(open.env.empty());

  const auto values = ParseStackEnv(RenderStackEnv({StackPorts{30000}, "/s", "unix:///d.sock", 0, token}));
  REQUIRE(values.at("NEBULA_TOKEN") == token);
  REQUIRE(ParseStackEnv(RenderStackEnv({StackPorts{30000}, "/s", "unix:///d.sock", 0})).count("NEBULA_TOKEN") == 0);
}
