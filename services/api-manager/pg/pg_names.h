// Names shared by the PostgreSQL adapters: the outbox channel and the advisory lock keys.
#pragma once

#include <cstdint>

namespace nebula::api_manager {

// NOTIFY'd in every write transaction that adds outbox rows; the relay LISTENs on it.
inline constexpr const char* kOutboxChannel = "nebula_outbox";

// pg_advisory_lock keys (arbitrary constants, fixed forever: replicas of different versions must agree).
inline constexpr int64_t kMigrationLockKey = 0x6e6562756c610001;  // "nebula" 0001
inline constexpr int64_t kRelayLockKey = 0x6e6562756c610002;

}  // namespace nebula::api_manager
