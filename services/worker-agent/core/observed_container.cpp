#include "worker-agent/core/observed_container.h"

#include <charconv>

#include "worker-agent/core/container_labels.h"

namespace nebula::agent {

namespace {

std::string Label(const ObservedContainer& c, std::string_view key) {
  auto it = c.labels.find(std::string(key));
  return it == c.labels.end() ? std::string() : it->second;
}

template <typename Int>
std::optional<Int> ParseInt(const std::string& text) {
  Int value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

}  // namespace

std::string_view ToString(ContainerState state) {
  switch (state) {
    case ContainerState::kCreated: return "created";
    case ContainerState::kRunning: return "running";
    case ContainerState::kPaused: return "paused";
    case ContainerState::kRestarting: return "restarting";
    case ContainerState::kRemoving: return "removing";
    case ContainerState::kExited: return "exited";
    case ContainerState::kDead: return "dead";
    case ContainerState::kUnknown: break;
  }
  return "unknown";
}

std::string_view ToString(Health health) {
  switch (health) {
    case Health::kStarting: return "starting";
    case Health::kHealthy: return "healthy";
    case Health::kUnhealthy: return "unhealthy";
    case Health::kNone: break;
  }
  return "";
}

ContainerIdentity ReadIdentity(const ObservedContainer& container) {
  ContainerIdentity id;
  id.managed = Label(container, kLabelManagedBy) == kManagedByValue;
  id.worker = Label(container, kLabelWorker);
  id.app = Label(container, kLabelApp);
  id.index = ParseInt<int32_t>(Label(container, kLabelIndex));
  if (id.index && *id.index < 0) id.index.reset();
  id.generation = ParseInt<int64_t>(Label(container, kLabelGeneration)).value_or(0);
  id.config_hash = Label(container, kLabelConfigHash);
  return id;
}

}  // namespace nebula::agent
