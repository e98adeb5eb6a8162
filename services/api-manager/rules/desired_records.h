// The nebula.desired records of an app change (docs/architecture.md "Write path"), as they are queued in the outbox:
// key app/<name>, value a serialized DesiredState. A deletion is a deleted=true envelope at the new generation followed
// by a tombstone, so compaction eventually drops the key while readers that are online see the deletion with its
// generation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>

#include "nebula/v1/app.pb.h"

namespace nebula::api_manager {

struct OutboxRecord {
  std::string key;
  std::optional<std::string> payload;  // nullopt = tombstone
};

// commit_time is the app's update_time (the write transaction's time).
std::vector<OutboxRecord> RecordsForAppChange(const nebula::v1::App& app);
std::vector<OutboxRecord> RecordsForAppDeletion(std::string_view name, int64_t generation,
                                                const google::protobuf::Timestamp& time);

// Device groups ("group/<name>"), cron jobs ("cron/<name>") and the global settings ("global"):
// the same envelope, with the object in the DesiredState oneof. kind is ResourceKind (resource_store.h).
enum class ResourceKind;
struct StoredObject;
std::vector<OutboxRecord> RecordsForObjectChange(ResourceKind kind, const StoredObject& object);
std::vector<OutboxRecord> RecordsForObjectDeletion(ResourceKind kind, std::string_view name, int64_t generation,
                                                   int64_t time_us);
std::string DesiredKeyOf(ResourceKind kind, std::string_view name);

// Same message, same bytes (map order fixed), so equal specs compare equal when stored.
std::string SerializeDeterministic(const google::protobuf::Message& message);

}  // namespace nebula::api_manager
