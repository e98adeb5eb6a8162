#include "sample_image.h"

#include "child_process.h"
#include "docker_daemon.h"
#include "readiness.h"
#include "service_configs.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool RegistryHasSampleImage(const StackPorts& ports) {
  const auto status = HttpGetStatus(Loopback(ports.Registry()), "/v2/nebula/hello/manifests/1",
                                    "Accept: application/vnd.docker.distribution.manifest.v2+json\r\n");
  return status && *status == 200;
}

void BuildRootfs(const fs::path& rootfs, const Toolbox& tools) {
  fs::remove_all(rootfs);
  for (const char* dir : {"bin", "www", "tmp", "etc"}) fs::create_directories(rootfs / dir);
  fs::permissions(rootfs / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::copy_file(tools.busybox, rootfs / "bin" / "busybox");
  for (const auto& applet : SampleImageApplets()) fs::create_symlink("busybox", rootfs / "bin" / applet);
}

}  // namespace

SampleImageResult EnsureSampleImage(const UpOptions& options, const StackPaths& paths, const Toolbox& tools,
                                    const std::string& docker_host) {
  const StackPorts ports{options.port_base};
  // Re-importing would make a new digest for the same tag each time; the registry's copy is the image.
  if (RegistryHasSampleImage(ports)) return SampleImageResult::kAlreadyInRegistry;

  const fs::path log = paths.Log("sample-image");
  AppendRunHeader(log);
  const fs::path rootfs = paths.image / "rootfs";
  const fs::path tarball = paths.image / "rootfs.tar";
  BuildRootfs(rootfs, tools);
  RunOrThrow("packing the sample image rootfs",
             {"tar",
              tools.tar,
              {"-C", rootfs.string(), "--numeric-owner", "--owner=0", "--group=0", "-cf", tarball.string(), "."}},
             log, 60s);
  const std::string image = SampleImage(ports);
  std::vector<std::string> import{"import"};
  for (const auto& change : SampleImageChanges()) {
    import.push_back("--change");
    import.push_back(change);
  }
  import.push_back(tarball.string());
  import.push_back(image);
  RunOrThrow("docker import of the sample image", DockerCli(tools, docker_host, import), log, 120s);
  RunOrThrow("docker push " + image, DockerCli(tools, docker_host, {"push", image}), log, 120s);
  // Drop the local tag so agents really pull from the registry, and a shared dockerd stays tidy.
  RunToCompletion(DockerCli(tools, docker_host, {"rmi", image}), log, 60s);
  fs::remove_all(rootfs);
  fs::remove(tarball);
  return SampleImageResult::kPushed;
}

}  // namespace nebula::devstack
