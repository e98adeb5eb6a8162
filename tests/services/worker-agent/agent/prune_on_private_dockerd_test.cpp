// What a prune (`nebula prune`, the global prune generation) does on a real dockerd: the agent removes
// every image no container uses and keeps the images its containers run. On a dockerd of this test's
// own: a prune on the shared dockerd would delete images other tests are about to use.
#include <thread>

#include "private_dockerd_agent.h"

using namespace nebula::agent::testing;
using nebula::testing::Eventually;
using nebula::testing::RunNebula;
using nebula::testing::TestPort;
using namespace std::chrono_literals;

namespace {

bool ImagePresent(const PrivateDockerd& dockerd, const std::string& image) {
  return dockerd.Docker({"image", "inspect", "-f", "{{.Id}}", image}, std::chrono::seconds(30)).exit_code == 0;
}

// A one-file image that no container uses, imported straight into this dockerd.
void ImportUnusedImage(const PrivateDockerd& dockerd, const std::string& image) {
  const std::string dir = dockerd.dir() + "/unused-rootfs";
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/marker") << "unused\n";
  const auto tar = nebula::testing::Run({"tar", "-C", dir, "-cf", dir + ".tar", "."});
  REQUIRE(tar.exit_code == 0);
  const auto imported = dockerd.Docker({"import", dir + ".tar", image});
  INFO(imported.out << imported.err);
  REQUIRE(imported.exit_code == 0);
}

}  // namespace

TEST_CASE("prune removes the images no container uses and keeps the images in use", "[integration][prune]") {
  const auto& stack = SharedStack();
  PrivateDockerd dockerd(stack.state_dir + "/pd-prune");
  const std::string app = "wa-prune", worker = app + "-" + std::to_string(getpid());
  const std::string unused = "nebula-test/unused:1";
  const int agent_port = TestPort(1);
  auto agent = StartAgent(app, worker, agent_port, dockerd.host());
  INFO("agent log: " << agent->LogTail());
  REQUIRE(RunNebula({"apps", "create", app, "--image", stack.sample_image, "--containers", "2"}).exit_code == 0);
  const auto converged = [&] {
    const auto status = AgentStatus(agent_port);
    const auto* report = status ? FindApp(*status, app) : nullptr;
    return report && report->converged_generation() > 0 && report->running_containers() == 2;
  };
  REQUIRE(Eventually(converged, 90s, 250ms));
  const auto ids = ContainerIds(dockerd, worker);
  ImportUnusedImage(dockerd, unused);
  std::this_thread::sleep_for(6s);  // a resync: nothing prunes without being asked
  REQUIRE(ImagePresent(dockerd, unused));
  REQUIRE(ImagePresent(dockerd, stack.sample_image));

  const auto pruned = RunNebula({"prune", "-o", "json"});
  INFO(pruned.out << pruned.err);
  REQUIRE(pruned.exit_code == 0);
  const auto at = pruned.out.find("\"pruneGeneration\"");
  REQUIRE(at != std::string::npos);
  const auto quote = pruned.out.find('"', pruned.out.find(':', at) + 1);
  const int64_t generation = std::stoll(pruned.out.substr(quote + 1));
  REQUIRE(generation >= 1);
  CHECK(Eventually(
      [&] {
        const auto status = AgentStatus(agent_port);
        return status && status->global_prune_generation() >= generation;
      },
      60s, 250ms));
  CHECK_FALSE(ImagePresent(dockerd, unused));
  CHECK(ImagePresent(dockerd, stack.sample_image));   // its containers run it
  CHECK(ContainerIds(dockerd, worker, true) == ids);  // and they were not touched
  CHECK(converged());

  CHECK(RunNebula({"apps", "delete", app}).exit_code == 0);
  CHECK(Eventually([&] { return ContainerIds(dockerd, worker).empty(); }, 30s));
  CHECK(agent->Stop() == 0);
}
