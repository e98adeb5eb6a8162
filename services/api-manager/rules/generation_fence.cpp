#include "api-manager/rules/generation_fence.h"

#include "api-manager/rules/resource_requests.h"
#include "common/desired_keys.h"
#include "common/validation.h"
#include "nebula/v1/desired_state.pb.h"

namespace nebula::api_manager {

std::optional<KeyedObject> ObjectOfKey(const std::string& key) {
  if (key == kGlobalKey) return KeyedObject{.kind = ResourceKind::kGlobal, .name = std::string(kGlobalName)};
  const auto slash = key.find('/');
  if (slash == std::string::npos) return std::nullopt;
  const std::string prefix = key.substr(0, slash), name = key.substr(slash + 1);
  if (DnsLabelProblem(name)) return std::nullopt;
  if (prefix == "app") return KeyedObject{.app = true, .name = name};
  if (prefix == "group") return KeyedObject{.kind = ResourceKind::kDeviceGroup, .name = name};
  if (prefix == "cron") return KeyedObject{.kind = ResourceKind::kCronJob, .name = name};
  return std::nullopt;
}

std::vector<GenerationJump> PlanGenerationJumps(const GenerationsByKey& published, const GenerationsByKey& stored) {
  std::vector<GenerationJump> jumps;
  for (const auto& [key, generation] : published) {
    if (!ObjectOfKey(key)) continue;
    const auto it = stored.find(key);
    const int64_t have = it == stored.end() ? 0 : it->second;
    if (have < generation) jumps.push_back({.key = key, .stored = have, .published = generation, .to = generation + 1});
  }
  return jumps;
}

std::optional<int64_t> PublishedGeneration(const std::optional<std::string>& value) {
  if (!value) return std::nullopt;
  nebula::v1::DesiredState state;
  if (!state.ParseFromString(*value) || state.generation() <= 0) return std::nullopt;
  return state.generation();
}

void NotePublished(GenerationsByKey& published, const std::string& key, const std::optional<std::string>& value) {
  const std::optional<int64_t> generation = PublishedGeneration(value);
  if (!generation) return;
  int64_t& newest = published[key];
  if (*generation > newest) newest = *generation;
}

std::string DescribeJump(const GenerationJump& jump) {
  return "generation " + std::to_string(jump.stored) + " -> " + std::to_string(jump.to) + ": nebula.desired already " +
         "carries generation " + std::to_string(jump.published) +
         " (the database is behind the topic: restored from an older backup, or a record not written by this API)";
}

}  // namespace nebula::api_manager
