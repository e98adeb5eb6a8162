#include "worker-agent/docker/hollow_docker_client.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "common/error.h"

namespace nebula::agent {

namespace {

int64_t SystemUnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool HasLabels(const ObservedContainer& c, const std::map<std::string, std::string>& labels) {
  return std::all_of(labels.begin(), labels.end(), [&](const auto& label) {
    auto it = c.labels.find(label.first);
    return it != c.labels.end() && it->second == label.second;
  });
}

// dockerd's 400 for references it cannot parse.
void RefuseUppercase(const std::string& reference) {
  if (std::any_of(reference.begin(), reference.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
    throw Error(ErrorCode::kInvalidArgument, "invalid reference format: repository name must be lowercase");
  }
}

}  // namespace

HollowDockerClient::HollowDockerClient(HollowOptions options) : options_(std::move(options)) {}

void HollowDockerClient::ThrowIfUnavailable() const {
  if (unavailable_) throw Error(ErrorCode::kUnavailable, "dockerd at hollow: Couldn't connect to server");
}

HollowDockerClient::Container& HollowDockerClient::Get(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) throw Error(ErrorCode::kNotFound, "No such container: " + id);
  return it->second;
}

std::string HollowDockerClient::ImageIdOf(const std::string& reference) const {
  auto it = images_.find(reference);
  return it == images_.end() || it->second.empty() ? "sha256:" + reference : it->second;
}

DockerVersion HollowDockerClient::Version() {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  return {options_.version, "1.41"};
}

std::vector<ObservedContainer> HollowDockerClient::ListContainers(const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  std::vector<ObservedContainer> out;
  for (const auto& [id, c] : containers_) {
    if (HasLabels(c.observed, labels)) out.push_back(c.observed);
  }
  return out;
}

ContainerDetails HollowDockerClient::InspectContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  const Container& c = Get(id);
  ContainerDetails d;
  d.container = c.observed;
  d.env = c.spec.env;
  d.ports = c.spec.ports;
  d.entrypoint = c.spec.entrypoint;
  d.cmd = c.spec.cmd;
  d.devices = c.spec.devices;
  d.privileged = c.spec.privileged;
  d.restart_policy = c.spec.restart_policy;
  d.nano_cpus = c.spec.nano_cpus;
  d.memory_bytes = c.spec.memory_bytes;
  d.network_mode = c.spec.networks.empty() ? "default" : c.spec.networks.front();
  d.exit_code = std::max(c.observed.exit_code, 0);
  return d;
}

std::string HollowDockerClient::CreateContainer(const ContainerSpec& spec, const std::string& name) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  if (!create_error_.empty()) throw Error(ErrorCode::kInternal, "create container " + name + ": " + create_error_);
  if (!images_.count(spec.image)) throw Error(ErrorCode::kNotFound, "No such image: " + spec.image);
  for (const auto& [id, c] : containers_) {
    if (c.observed.name == name) {
      throw Error(ErrorCode::kAlreadyExists, "Conflict. The container name \"/" + name + "\" is already in use");
    }
  }
  char id[65];
  std::snprintf(id, sizeof(id), "%064llx", static_cast<unsigned long long>(++next_id_));
  Container c;
  c.observed.id = id;
  c.observed.name = name;
  c.observed.image = spec.image;
  c.observed.image_id = ImageIdOf(spec.image);
  c.observed.state = ContainerState::kCreated;
  c.observed.created = options_.unix_now ? options_.unix_now() : SystemUnixNow();
  c.observed.labels = spec.labels;
  c.spec = spec;
  containers_.emplace(id, std::move(c));
  ++creates;
  return id;
}

void HollowDockerClient::StartContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  if (!start_error_.empty()) throw Error(ErrorCode::kInternal, "start container " + id + ": " + start_error_);
  Get(id).observed.state = ContainerState::kRunning;
}

void HollowDockerClient::StopContainer(const std::string& id, std::chrono::seconds) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  auto& c = Get(id).observed;
  if (c.state == ContainerState::kRunning || c.state == ContainerState::kPaused ||
      c.state == ContainerState::kRestarting) {
    c.state = ContainerState::kExited;
    c.exit_code = 0;
  }
}

void HollowDockerClient::RestartContainer(const std::string& id, std::chrono::seconds) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  auto& c = Get(id).observed;
  c.state = ContainerState::kRunning;
  // A HEALTHCHECK starts over with the new process.
  if (c.health != Health::kNone) c.health = Health::kStarting;
  ++restarts;
}

void HollowDockerClient::RemoveContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  Get(id);
  containers_.erase(id);
  ++removes;
}

std::optional<ImageInfo> HollowDockerClient::InspectImage(const std::string& reference) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  RefuseUppercase(reference);
  if (!images_.count(reference)) return std::nullopt;
  return ImageInfo{ImageIdOf(reference), {reference}};
}

void HollowDockerClient::PullImage(const std::string& reference) {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  RefuseUppercase(reference);
  ++pulls;
  for (const auto& key : {std::string(), reference}) {
    auto failure = pull_errors_.find(key);
    if (failure != pull_errors_.end()) {
      throw Error(ErrorCode::kFailedPrecondition, "pull " + reference + ": " + failure->second);
    }
  }
  auto fresh = registry_images_.find(reference);
  if (fresh != registry_images_.end()) {
    images_[reference] = fresh->second;
  } else {
    images_.emplace(reference, "");
  }
}

int HollowDockerClient::PruneImages() {
  std::lock_guard lock(mutex_);
  ThrowIfUnavailable();
  ++prunes;
  int deleted = 0;
  for (auto it = images_.begin(); it != images_.end();) {
    const bool used = std::any_of(containers_.begin(), containers_.end(),
                                  [&](const auto& c) { return c.second.observed.image == it->first; });
    if (used) {
      ++it;
    } else {
      it = images_.erase(it);
      ++deleted;
    }
  }
  return deleted;
}

void HollowDockerClient::WatchEvents(const std::map<std::string, std::string>&,
                                     const std::function<void()>& on_connected,
                                     const std::function<void(const ContainerEvent&)>& on_event, std::stop_token stop) {
  std::unique_lock lock(mutex_);
  ThrowIfUnavailable();
  size_t delivered = events_.size();  // like dockerd: nothing from before the stream connected
  lock.unlock();
  if (on_connected) on_connected();
  lock.lock();
  while (true) {
    stream_changed_.wait(lock, stop, [&] { return unavailable_ || delivered < events_.size(); });
    if (stop.stop_requested()) return;
    ThrowIfUnavailable();
    while (delivered < events_.size()) {
      const ContainerEvent event = events_[delivered++];
      lock.unlock();
      on_event(event);
      lock.lock();
    }
  }
}

void HollowDockerClient::SetUnavailable(bool unavailable) {
  {
    std::lock_guard lock(mutex_);
    unavailable_ = unavailable;
  }
  stream_changed_.notify_all();
}

void HollowDockerClient::FailPulls(std::string message, const std::string& reference) {
  std::lock_guard lock(mutex_);
  if (message.empty()) {
    pull_errors_.erase(reference);
  } else {
    pull_errors_[reference] = std::move(message);
  }
}

void HollowDockerClient::FailCreates(std::string message) {
  std::lock_guard lock(mutex_);
  create_error_ = std::move(message);
}

void HollowDockerClient::FailStarts(std::string message) {
  std::lock_guard lock(mutex_);
  start_error_ = std::move(message);
}

void HollowDockerClient::Emit(ContainerEvent event) {
  {
    std::lock_guard lock(mutex_);
    events_.push_back(std::move(event));
  }
  stream_changed_.notify_all();
}

void HollowDockerClient::AddImage(const std::string& reference, std::string id) {
  std::lock_guard lock(mutex_);
  images_[reference] = std::move(id);
}

void HollowDockerClient::SetRegistryImage(const std::string& reference, std::string id) {
  std::lock_guard lock(mutex_);
  registry_images_[reference] = std::move(id);
}

bool HollowDockerClient::HasImage(const std::string& reference) {
  std::lock_guard lock(mutex_);
  return images_.count(reference) > 0;
}

void HollowDockerClient::Put(ObservedContainer container) {
  std::lock_guard lock(mutex_);
  std::string id = container.id;
  containers_[id] = Container{std::move(container), ContainerSpec{}};
}

std::vector<ObservedContainer> HollowDockerClient::All() {
  std::lock_guard lock(mutex_);
  std::vector<ObservedContainer> out;
  for (const auto& [id, c] : containers_) out.push_back(c.observed);
  return out;
}

ContainerSpec HollowDockerClient::SpecOf(const std::string& id) {
  std::lock_guard lock(mutex_);
  return Get(id).spec;
}

}  // namespace nebula::agent
