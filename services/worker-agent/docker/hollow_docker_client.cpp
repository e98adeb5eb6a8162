#include "worker-agent/docker/hollow_docker_client.h"

#include <chrono>
#include <cstdio>
#include <thread>

#include "common/error.h"

namespace nebula::agent {

namespace {

int64_t UnixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string ImageId(const std::string& reference) {
  return "sha256:hollow-" + std::to_string(std::hash<std::string>{}(reference));
}

}  // namespace

DockerVersion HollowDockerClient::Version() { return {"hollow", "1.41"}; }

HollowDockerClient::Container& HollowDockerClient::Get(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) throw Error(ErrorCode::kNotFound, "No such container: " + id);
  return it->second;
}

std::vector<ObservedContainer> HollowDockerClient::ListContainers(const std::map<std::string, std::string>& labels) {
  std::lock_guard lock(mutex_);
  std::vector<ObservedContainer> out;
  for (const auto& [id, c] : containers_) {
    bool match = true;
    for (const auto& [k, v] : labels) {
      auto it = c.observed.labels.find(k);
      match = match && it != c.observed.labels.end() && it->second == v;
    }
    if (match) out.push_back(c.observed);
  }
  return out;
}

ContainerDetails HollowDockerClient::InspectContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
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
  return d;
}

std::string HollowDockerClient::CreateContainer(const ContainerSpec& spec, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (!images_.count(spec.image)) throw Error(ErrorCode::kNotFound, "No such image: " + spec.image);
  if (!names_.insert(name).second) {
    throw Error(ErrorCode::kAlreadyExists, "Conflict. The container name \"/" + name + "\" is already in use");
  }
  char id[65];
  std::snprintf(id, sizeof(id), "%064llx", static_cast<unsigned long long>(++next_id_));
  Container c;
  c.observed.id = id;
  c.observed.name = name;
  c.observed.image = spec.image;
  c.observed.image_id = ImageId(spec.image);
  c.observed.state = ContainerState::kCreated;
  c.observed.created = UnixNow();
  c.observed.labels = spec.labels;
  c.spec = spec;
  containers_.emplace(id, std::move(c));
  return id;
}

void HollowDockerClient::StartContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  Get(id).observed.state = ContainerState::kRunning;
}

void HollowDockerClient::StopContainer(const std::string& id, std::chrono::seconds) {
  std::lock_guard lock(mutex_);
  auto& c = Get(id).observed;
  if (c.state == ContainerState::kRunning) {
    c.state = ContainerState::kExited;
    c.exit_code = 0;
  }
}

void HollowDockerClient::RestartContainer(const std::string& id, std::chrono::seconds) {
  std::lock_guard lock(mutex_);
  Get(id).observed.state = ContainerState::kRunning;
}

void HollowDockerClient::RemoveContainer(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto& c = Get(id);
  names_.erase(c.observed.name);
  containers_.erase(id);
}

std::optional<ImageInfo> HollowDockerClient::InspectImage(const std::string& reference) {
  std::lock_guard lock(mutex_);
  if (!images_.count(reference)) return std::nullopt;
  return ImageInfo{ImageId(reference), {reference}};
}

void HollowDockerClient::PullImage(const std::string& reference) {
  std::lock_guard lock(mutex_);
  images_.insert(reference);
}

int HollowDockerClient::PruneImages() {
  std::lock_guard lock(mutex_);
  int deleted = 0;
  for (auto it = images_.begin(); it != images_.end();) {
    bool used = false;
    for (const auto& [id, c] : containers_) used = used || c.observed.image == *it;
    if (used) {
      ++it;
    } else {
      it = images_.erase(it);
      ++deleted;
    }
  }
  return deleted;
}

void HollowDockerClient::WatchEvents(const std::map<std::string, std::string>&, const std::function<void()>& on_connected,
                                     const std::function<void(const ContainerEvent&)>&, const std::atomic<bool>& stop) {
  if (on_connected) on_connected();
  // Blocks without waking until the flag turns true; whoever sets it calls stop.notify_all()
  // (DriftWatch::Stop does).
  stop.wait(false);
}

}  // namespace nebula::agent
