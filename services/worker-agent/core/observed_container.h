// A container as dockerd reports it, with the Nebula identity read from its labels.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace nebula::agent {

struct ObservedContainer {
  std::string id;
  std::string name;
  std::string image;     // the reference it was created from
  std::string image_id;
  std::string state;     // docker: created, running, paused, restarting, removing, exited, dead
  std::string health;    // healthy, unhealthy, starting, or empty without a HEALTHCHECK
  int64_t created = 0;   // unix seconds
  int exit_code = -1;    // of an exited container, when dockerd says (-1: unknown)
  std::map<std::string, std::string> labels;
};

// The dev.nebula.* labels, parsed. Missing or unparsable values stay empty / nullopt.
struct ContainerIdentity {
  bool managed = false;  // dev.nebula.managed-by=nebula
  std::string worker;
  std::string app;
  std::optional<int32_t> index;
  int64_t generation = 0;
  std::string config_hash;
};

ContainerIdentity ReadIdentity(const ObservedContainer& container);

}  // namespace nebula::agent
