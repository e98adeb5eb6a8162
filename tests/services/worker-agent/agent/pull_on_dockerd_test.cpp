// Pulls on the real dockerd from a registry that requires a login (Debian's docker-registry with
// htpasswd auth, started here on 127.0.0.1): credentials from a docker config.json reach dockerd,
// and a pull_nonce bump re-pulls the tag and replaces exactly the containers whose image ID
// changed (a new image pushed under the same tag), keeping the others.
#include <catch2/catch.hpp>
#include <crypt.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "../dockerd_fixture.h"
#include "worker-agent/docker/registry_auth.h"
#include "common/error.h"

using namespace nebula::agent;
using namespace nebula::agent::testing;
using namespace std::chrono_literals;
using nebula::testing::BackgroundProcess;
using nebula::testing::Eventually;
using nebula::testing::SharedStack;

namespace {

constexpr const char* kUser = "nebula-it";
constexpr const char* kPassword = "pull-secret-42";

std::string Bcrypt(const std::string& password) {
  const char* salt = crypt_gensalt("$2b$", 10, nullptr, 0);
  REQUIRE(salt);
  crypt_data data{};
  const char* hash = crypt_r(password.c_str(), salt, &data);
  REQUIRE(hash);
  REQUIRE(std::string(hash).rfind("$2b$", 0) == 0);
  return hash;
}

// A docker-registry on 127.0.0.1:<port> that wants user:password (htpasswd, bcrypt).
struct AuthRegistry {
  explicit AuthRegistry(const std::string& dir) {
    std::filesystem::create_directories(dir + "/data");
    port = FreePorts(1);
    host = "127.0.0.1:" + std::to_string(port);
    std::ofstream(dir + "/htpasswd") << kUser << ":" << Bcrypt(kPassword) << "\n";
    std::ofstream(dir + "/config.yml") << "version: 0.1\n"
                                       << "log:\n  level: warn\n"
                                       << "storage:\n  filesystem:\n    rootdirectory: " << dir << "/data\n"
                                       << "  delete:\n    enabled: true\n"
                                       << "http:\n  addr: " << host << "\n"
                                       << "auth:\n  htpasswd:\n    realm: nebula-it\n    path: " << dir
                                       << "/htpasswd\n";
    process = std::make_unique<BackgroundProcess>(
        std::vector<std::string>{"/usr/bin/docker-registry", "serve", dir + "/config.yml"},
        std::map<std::string, std::string>{}, dir + "/registry.log");
  }
  int port = 0;
  std::string host;
  std::unique_ptr<BackgroundProcess> process;
};

// The docker CLI with its own config dir (where `docker login` writes config.json).
nebula::testing::CommandResult DockerWithConfig(const std::string& config_dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"docker", "--config", config_dir});
  return nebula::testing::Run(args, SharedStack().Env());
}

std::set<std::string> IdsOf(DockerdFixture& f, const std::string& app) {
  std::set<std::string> ids;
  for (const auto& c : f.List()) {
    if (c.labels.at("dev.nebula.app") == app) ids.insert(c.id);
  }
  return ids;
}

}  // namespace

TEST_CASE("pull with registry credentials, and pull_nonce replaces only changed images", "[integration][pull]") {
  const auto& stack = SharedStack();
  const std::string dir = "/tmp/wa-pull-" + std::to_string(getpid());
  std::filesystem::remove_all(dir);
  AuthRegistry registry(dir);
  const std::string config_dir = dir + "/docker-config";
  const bool logged_in = Eventually(
      [&] {
        return DockerWithConfig(config_dir, {"login", "-u", kUser, "-p", kPassword, registry.host}).exit_code == 0;
      },
      30s, 500ms);
  INFO(registry.process->LogTail());
  REQUIRE(logged_in);

  {
    // Another test on this dockerd may have pruned the sample image meanwhile: it lives in the stack's registry.
    EngineApiClient docker(stack.docker_host);
    if (!docker.InspectImage(stack.sample_image)) docker.PullImage(stack.sample_image);
  }
  const std::string changing = registry.host + "/nebula/wa-changing:1";
  const std::string steady = registry.host + "/nebula/wa-steady:1";
  for (const auto& image : {changing, steady}) {
    REQUIRE(RunDockerQuiet({"tag", stack.sample_image, image}).exit_code == 0);
    const auto pushed = DockerWithConfig(config_dir, {"push", image});
    INFO(pushed.out << pushed.err);
    REQUIRE(pushed.exit_code == 0);
    const auto untagged = RunDockerQuiet({"rmi", image});  // the agent must pull it
    INFO(untagged.out << untagged.err);
    // A prune by another test on this dockerd may have untagged it already: gone is gone.
    REQUIRE((untagged.exit_code == 0 || untagged.err.find("No such image") != std::string::npos));
  }

  // No credentials: dockerd's refusal comes through.
  {
    EngineApiClient anonymous(stack.docker_host);
    try {
      anonymous.PullImage(steady);
      FAIL("pulled from a registry that wants a login, without credentials");
    } catch (const nebula::Error& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("auth") || Catch::Contains("unauthorized"));
      CHECK_THAT(std::string(e.what()), !Catch::Contains(kPassword));
    }
  }

  // Credentials from the config.json `docker login` wrote.
  std::ifstream config_file(config_dir + "/config.json");
  REQUIRE(config_file);
  std::stringstream config_text;
  config_text << config_file.rdbuf();
  const auto credentials = ParseDockerConfig(config_text.str());
  REQUIRE(credentials.count(registry.host) == 1);

  DockerdFixture f("pull", credentials);
  f.CleanUpLater([=] { RunDockerQuiet({"rmi", "-f", changing, steady}); });
  auto changing_spec = SleepSpec();
  changing_spec.set_image(changing);
  changing_spec.mutable_containers_per()->set_instance(2);
  auto steady_spec = SleepSpec();
  steady_spec.set_image(steady);
  steady_spec.mutable_containers_per()->set_instance(2);
  f.Desire("p-changing", 1, changing_spec);
  f.Desire("p-steady", 1, steady_spec);
  f.RequireConverged();
  const auto changing_before = IdsOf(f, "p-changing");
  const auto steady_before = IdsOf(f, "p-steady");
  REQUIRE(changing_before.size() == 2);
  REQUIRE(steady_before.size() == 2);
  const auto old_image = f.docker.InspectImage(changing);
  REQUIRE(old_image);

  // A new image under the same tag in the registry; locally the tag stays on the old image.
  const auto committed = RunDockerQuiet({"commit", "-c", "ENV WA_VERSION=2", *changing_before.begin(), changing});
  REQUIRE(committed.exit_code == 0);
  REQUIRE(DockerWithConfig(config_dir, {"push", changing}).exit_code == 0);
  const auto new_image = f.docker.InspectImage(changing);
  REQUIRE(new_image);
  REQUIRE(new_image->id != old_image->id);
  f.CleanUpLater([=] { RunDockerQuiet({"rmi", "-f", new_image->id}); });  // the committed image
  REQUIRE(RunDockerQuiet({"tag", old_image->id, changing}).exit_code == 0);
  REQUIRE(f.docker.InspectImage(changing)->id == old_image->id);

  // "pull": both apps bump pull_nonce. Only the changed image's containers are replaced.
  changing_spec.set_pull_nonce(1);
  steady_spec.set_pull_nonce(1);
  f.Desire("p-changing", 2, changing_spec);
  f.Desire("p-steady", 2, steady_spec);
  f.RequireConverged();
  CHECK(f.docker.InspectImage(changing)->id == new_image->id);
  const auto changing_after = IdsOf(f, "p-changing");
  REQUIRE(changing_after.size() == 2);
  for (const auto& id : changing_after) {
    CHECK(changing_before.count(id) == 0);
    CHECK(f.docker.InspectContainer(id).container.image_id == new_image->id);
  }
  CHECK(IdsOf(f, "p-steady") == steady_before);
  f.RemoveContainers();
  registry.process->Stop();
  std::filesystem::remove_all(dir);
}
