// A container as dockerd reports it, with the Nebula identity read from its labels.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace nebula::agent {

// dockerd's container states (State.Status), read once by the Docker adapter so the rest of the agent
// compares words, not strings. kUnknown: a state this agent does not know (or none given).
enum class ContainerState { kUnknown, kCreated, kRunning, kPaused, kRestarting, kRemoving, kExited, kDead };
// A HEALTHCHECK's verdict; kNone for a container without one.
enum class Health { kNone, kStarting, kHealthy, kUnhealthy };

// dockerd's word ("running", "healthy"), as reports and GetStatus print it; "unknown" for kUnknown and ""
// for kNone (what dockerd shows for a container without a HEALTHCHECK).
std::string_view ToString(ContainerState state);
std::string_view ToString(Health health);

struct ObservedContainer {
  std::string id;
  std::string name;
  std::string image;  // the reference it was created from
  std::string image_id;
  ContainerState state = ContainerState::kUnknown;
  Health health = Health::kNone;
  int64_t created = 0;  // unix seconds
  int exit_code = -1;   // of an exited container, when dockerd says (-1: unknown)
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
