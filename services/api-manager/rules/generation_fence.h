// Generations never go backwards on nebula.desired (docs/architecture.md "Write path", "Restoring the
// database"). Agents apply a record only if its generation is newer than the one they hold, so a key
// whose stored generation is behind what the topic already carries would be frozen on every host until
// the API counted past it: after PostgreSQL was restored from an older backup, or after a record that
// the api-manager did not write. Before relaying anything, the active relay compares the newest
// generation of every key on the topic with the stored one, and moves every key that is behind to one
// past the topic's generation, republishing what the database holds (the spec, or a deletion when the
// object is deleted; for a key no object has, only a floor, so a create continues past it). Pure: the
// caller reads both sides and applies the jumps.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api-manager/store/resource_store.h"

namespace nebula::api_manager {

// The newest generation per nebula.desired key; a key absent from the map has none.
using GenerationsByKey = std::map<std::string, int64_t>;

struct GenerationJump {
  std::string key;
  int64_t stored = 0;     // what the database held (0: no object has this key)
  int64_t published = 0;  // the newest generation on the topic
  int64_t to = 0;         // the generation the object moves to: published + 1
};

// The object a nebula.desired key names: "app/<name>", "group/<name>", "cron/<name>" or "global".
struct KeyedObject {
  bool app = false;
  ResourceKind kind = ResourceKind::kGlobal;  // when !app
  std::string name;
};

// nullopt for a key this API never writes (another prefix, or a name it would refuse).
std::optional<KeyedObject> ObjectOfKey(const std::string& key);

// Keys this API writes (ObjectOfKey) whose stored generation is below the published one, in key order. A key equal on
// both sides, or ahead in the database (its records are still in the outbox), needs nothing.
std::vector<GenerationJump> PlanGenerationJumps(const GenerationsByKey& published, const GenerationsByKey& stored);

// The generation a record on nebula.desired carries: its DesiredState's, or nullopt for a tombstone
// or a value that is not a DesiredState (neither can freeze an agent).
std::optional<int64_t> PublishedGeneration(const std::optional<std::string>& value);

// Folds one record into what the topic is known to hold: the highest generation seen per key.
void NotePublished(GenerationsByKey& published, const std::string& key, const std::optional<std::string>& value);

// The revision / audit text of a jump, e.g. "generation 3 -> 102: nebula.desired already carries 101
// (the database is behind the topic: restored from a backup, or a record not written by this API)".
std::string DescribeJump(const GenerationJump& jump);

}  // namespace nebula::api_manager
