// The dev stack's record-signing key pair (docs/architecture.md "Trust"): made once per state dir, kept
// across restarts (agents that trust it keep doing so), the secret owner-only.
#pragma once

#include <filesystem>

namespace nebula::devstack {

struct StackSigningKeys {
  std::filesystem::path secret;   // for nebula-api-manager --signing-key-file
  std::filesystem::path trusted;  // for nebula-worker-agent --trusted-keys
};

// In keys_dir: devstack.key (mode 0600) and devstack.pub, made if missing. Throws StartupError.
StackSigningKeys EnsureSigningKeys(const std::filesystem::path& keys_dir);

}  // namespace nebula::devstack
