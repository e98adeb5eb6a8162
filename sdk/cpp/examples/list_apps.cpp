// Lists the apps of a Nebula cluster and their rollout state.
//   NEBULA_ENDPOINT=127.0.0.1:50051 NEBULA_TOKEN=<id>.<secret> ./list_apps
#include <cstdlib>
#include <iostream>

#include "nebula/sdk/client.h"

int main() {
  nebula::sdk::ClientOptions options;
  if (const char* endpoint = std::getenv("NEBULA_ENDPOINT")) options.endpoint = endpoint;
  if (const char* token = std::getenv("NEBULA_TOKEN")) options.token = token;
  options.deadline = std::chrono::seconds(10);
  nebula::sdk::Client client(options);
  try {
    for (const auto& app : client.ListAllApps()) {
      const auto status = client.GetAppStatus(app.name());
      std::cout << app.name() << " generation " << app.generation() << ": " << status.hosts_converged() << "/"
                << status.hosts_desired() << " hosts converged\n";
    }
  } catch (const nebula::Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
