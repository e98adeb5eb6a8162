// Every AppSpec field, applied by the reconciler (plan + executor + EngineApiClient) to the test
// stack's real dockerd, and read back with docker inspect: ports (tcp and udp, +index per
// container), env, bind and named volumes (read-only too), devices with permissions, privileged,
// networks (user networks created when missing, host, none), command/args, resources, labels,
// restart policy, and containers_per against the host facts the agent was given.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "../dockerd_fixture.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;

namespace {

const ContainerDetails* AtIndex(const std::vector<ContainerDetails>& all, const std::string& app, int index) {
  for (const auto& d : all) {
    if (d.container.labels.count("dev.nebula.app") && d.container.labels.at("dev.nebula.app") == app &&
        d.container.labels.at("dev.nebula.index") == std::to_string(index)) {
      return &d;
    }
  }
  return nullptr;
}

bool Has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

}  // namespace

TEST_CASE("every AppSpec field arrives on dockerd", "[integration][fields]") {
  DockerdFixture f("fields");
  const std::string run = f.worker;  // unique per run: networks and volumes carry it too
  const std::string net_a = run + "-net-a", net_b = run + "-net-b", volume = run + "-vol";
  const std::string bind_dir = "/tmp/" + run + "-bind";
  std::filesystem::create_directories(bind_dir);
  f.CleanUpLater([=] {
    RunDockerQuiet({"network", "rm", net_a, net_b});
    RunDockerQuiet({"volume", "rm", "-f", volume});
    std::filesystem::remove_all(bind_dir);
  });
  const int port = FreePorts(12);

  nebula::v1::AppSpec main = SleepSpec();
  main.mutable_containers_per()->set_instance(2);
  auto* tcp = main.add_ports();
  tcp->set_host_port(static_cast<uint32_t>(port));
  tcp->set_container_port(80);
  auto* udp = main.add_ports();
  udp->set_host_port(static_cast<uint32_t>(port + 10));
  udp->set_container_port(53);
  udp->set_protocol(nebula::v1::PROTOCOL_UDP);
  (*main.mutable_env())["GREETING"] = "hello world";
  (*main.mutable_env())["MODE"] = "it";
  auto* bind = main.add_volumes();
  bind->set_source(bind_dir);
  bind->set_target("/data");
  bind->set_read_only(true);
  auto* named = main.add_volumes();
  named->set_source(volume);
  named->set_target("/cache");
  auto* dev_null = main.add_devices();
  dev_null->set_host_path("/dev/null");
  dev_null->set_container_path("/dev/mynull");
  dev_null->set_permissions("r");
  main.add_devices()->set_host_path("/dev/zero");  // same path, rwm
  main.add_networks(net_a);
  main.add_networks(net_b);
  main.mutable_resources()->set_cpus(0.5);
  main.mutable_resources()->set_memory_mb(64);
  (*main.mutable_labels())["team"] = "it";
  main.set_restart_policy(nebula::v1::RESTART_POLICY_ON_FAILURE);

  nebula::v1::AppSpec host = SleepSpec();
  host.add_networks("host");
  host.set_restart_policy(nebula::v1::RESTART_POLICY_ALWAYS);
  host.mutable_containers_per()->set_cpu(1.5);  // 2 cores given below → 3 containers

  nebula::v1::AppSpec none = SleepSpec();
  none.add_networks("none");
  none.set_restart_policy(nebula::v1::RESTART_POLICY_NO);
  none.mutable_containers_per()->set_memory_mb(400);  // 1000 MiB given below → 2 containers

  f.host = HostFacts{2, 1000};
  f.Desire("f-main", 1, main);
  f.Desire("f-host", 1, host);
  f.Desire("f-none", 1, none);
  f.RequireConverged();

  const auto all = f.InspectAll();
  CHECK(all.size() == 7);

  for (int i = 0; i < 2; ++i) {
    INFO("f-main[" << i << "]");
    const auto* d = AtIndex(all, "f-main", i);
    REQUIRE(d);
    CHECK(d->container.state == ContainerState::kRunning);
    CHECK(d->entrypoint == std::vector<std::string>{"sh", "-c"});
    CHECK(d->cmd == std::vector<std::string>{"trap 'exit 0' TERM; sleep 3600 & wait"});
    CHECK(Has(d->env, "GREETING=hello world"));
    CHECK(Has(d->env, "MODE=it"));
    const uint32_t p = static_cast<uint32_t>(port + i);
    CHECK(std::count(d->ports.begin(), d->ports.end(), PortBinding{"127.0.0.1", p, 80, "tcp"}) == 1);
    CHECK(std::count(d->ports.begin(), d->ports.end(), PortBinding{"127.0.0.1", p + 10, 53, "udp"}) == 1);
    CHECK(Has(d->binds, bind_dir + ":/data:ro"));
    CHECK(Has(d->binds, volume + ":/cache"));
    bool saw_bind = false, saw_volume = false;
    for (const auto& m : d->mounts) {
      if (m.destination == "/data") saw_bind = m.type == "bind" && m.source == bind_dir && !m.rw;
      if (m.destination == "/cache") saw_volume = m.type == "volume" && m.name == volume && m.rw;
    }
    CHECK(saw_bind);
    CHECK(saw_volume);
    REQUIRE(d->devices.size() == 2);
    CHECK(d->devices[0] == DeviceMount{"/dev/null", "/dev/mynull", "r"});
    CHECK(d->devices[1] == DeviceMount{"/dev/zero", "/dev/zero", "rwm"});
    CHECK_FALSE(d->privileged);
    CHECK(d->network_mode == net_a);
    CHECK(Has(d->networks, net_a));
    CHECK(Has(d->networks, net_b));
    CHECK(d->nano_cpus == 500000000);
    CHECK(d->memory_bytes == 64 * 1024 * 1024);
    CHECK(d->container.labels.at("team") == "it");
    CHECK(d->restart_policy == "on-failure");
  }
  for (int i = 0; i < 3; ++i) {
    INFO("f-host[" << i << "]");
    const auto* d = AtIndex(all, "f-host", i);
    REQUIRE(d);
    CHECK(d->container.state == ContainerState::kRunning);
    CHECK_FALSE(d->privileged);
    CHECK(d->network_mode == "host");
    CHECK(d->restart_policy == "always");
  }
  for (int i = 0; i < 2; ++i) {
    INFO("f-none[" << i << "]");
    const auto* d = AtIndex(all, "f-none", i);
    REQUIRE(d);
    CHECK(d->container.state == ContainerState::kRunning);
    CHECK(d->network_mode == "none");
    CHECK(d->restart_policy == "no");
    CHECK(d->networks == std::vector<std::string>{"none"});
  }
  // The agent created the user networks, as bridge networks.
  CHECK(RunDockerQuiet({"network", "inspect", "-f", "{{.Driver}}", net_a}).out == "bridge\n");
  CHECK(RunDockerQuiet({"network", "inspect", "-f", "{{.Driver}}", net_b}).out == "bridge\n");

  // privileged: dockerd gets it (HostConfig.Privileged). This test's dockerd runs in a container
  // without the capabilities to start a privileged container, so the start fails there and the
  // app reports dockerd's reason; on a normal host it runs.
  nebula::v1::AppSpec privileged = SleepSpec();
  privileged.set_privileged(true);
  f.Desire("f-priv", 1, privileged);
  std::string priv_id;
  for (int i = 0; i < 20 && priv_id.empty(); ++i) {
    f.Get().RunPass();
    for (const auto& c : f.List()) {
      if (c.labels.at("dev.nebula.app") == "f-priv") priv_id = c.id;
    }
  }
  REQUIRE(!priv_id.empty());
  const auto priv = f.docker.InspectContainer(priv_id);
  CHECK(priv.privileged);
  if (priv.container.state != ContainerState::kRunning) {
    bool reported = false;
    for (const auto& app : f.Get().Status().apps) {
      if (app.app == "f-priv") {
        for (const auto& e : app.errors) reported = reported || e.text.find("start container") != std::string::npos;
      }
    }
    std::printf("privileged container not started by this dockerd (%s); the error was reported: %s\n",
                priv.error.c_str(), reported ? "yes" : "no");
    CHECK(reported);
  }
  {
    std::lock_guard lock(f.mutex);
    f.records.erase("f-priv");
  }
  f.RequireConverged();  // f-priv left the list: its container is removed

  // Nothing changed: another pass touches nothing. A new generation that only bumps pull_nonce
  // with the image unchanged replaces nothing either (it is not part of the hash).
  const auto ids = f.Ids();
  CHECK(ids.size() == 7);
  main.set_pull_nonce(1);
  f.Desire("f-main", 2, main);
  f.RequireConverged();
  CHECK(f.Ids() == ids);
  // A field that changes the container replaces it (here: env).
  (*main.mutable_env())["MODE"] = "changed";
  f.Desire("f-main", 3, main);
  f.RequireConverged();
  const auto after = f.InspectAll();
  for (int i = 0; i < 2; ++i) {
    const auto* d = AtIndex(after, "f-main", i);
    REQUIRE(d);
    CHECK(Has(d->env, "MODE=changed"));
    CHECK(ids.count(d->container.id) == 0);
  }
  CHECK(AtIndex(after, "f-host", 0)->container.id == AtIndex(all, "f-host", 0)->container.id);
}
