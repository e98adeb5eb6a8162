// The config hash labels every container with what it was created from, so the agent replaces a
// container only when something that affects it changed, never for an unrelated reason (a new
// generation alone, another app, an agent restart).
//
// Hash = SHA-256 over a canonical serialization (length-prefixed fields in a fixed order, not protobuf
// bytes, whose map order is unspecified). Fields at their default value are left out, so a future
// agent that learns a new field keeps the hashes of existing containers, and an upgrade does not
// restart the fleet.
#pragma once

#include <string>

#include "worker-agent/core/container_spec.h"

namespace nebula::agent {

// The bytes that are hashed (exposed for tests and debugging).
std::string CanonicalConfig(const ContainerSpec& spec);

// Lowercase hex SHA-256 of CanonicalConfig(spec). Ignores generation, config_hash and labels other
// than the user's.
std::string ConfigHash(const ContainerSpec& spec);

}  // namespace nebula::agent
