#include "registry_setup.h"

#include <fstream>

#include "readiness.h"
#include "service_configs.h"

namespace nebula::devstack {
namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::unique_ptr<ChildProcess> StartRegistry(const UpOptions& options, const StackPaths& paths, const Toolbox& tools) {
  const StackPorts ports{options.port_base};
  fs::create_directories(paths.registry / "data");
  {
    std::ofstream config(paths.registry / "config.yml", std::ios::trunc);
    config << RegistryConfig(ports, paths.registry / "data");
    if (!config.flush()) throw StartupError("cannot write " + (paths.registry / "config.yml").string());
  }
  const fs::path log = paths.Log("registry");
  AppendRunHeader(log);
  auto registry = ChildProcess::Start(RegistrySpec(tools.docker_registry, paths.registry), log);
  const std::string endpoint = Loopback(ports.Registry());
  WaitUntilReady(*registry, {"GET /v2/ on " + endpoint,
                             [&] {
                               const auto status = HttpGetStatus(endpoint, "/v2/");
                               return status && *status == 200;
                             },
                             60s});
  return registry;
}

}  // namespace nebula::devstack
