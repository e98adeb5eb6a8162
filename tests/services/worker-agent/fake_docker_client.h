// An in-memory DockerClient for the reconciler's tests: keeps containers and images in maps and
// fails on request, the way dockerd does (same error codes and messages).
#pragma once

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "worker-agent/docker/docker_client.h"
#include "common/error.h"

namespace nebula::agent::testing {

class FakeDockerClient : public DockerClient {
 public:
  // Failure injection.
  std::atomic<bool> unavailable{false};
  std::string pull_error;   // non-empty: every pull fails with it
  std::string start_error;  // non-empty: every start fails with it

  std::set<std::string> images;
  // Creation times (unix seconds) of new containers; empty: a counter.
  std::function<int64_t()> unix_now;
  // Image IDs: what dockerd has for a reference ("sha256:<ref>" unless set), and what a pull gets
  // from the registry (a pull of a reference listed here moves the local tag to that ID).
  std::map<std::string, std::string> local_ids;
  std::map<std::string, std::string> registry_ids;
  std::string IdOf(const std::string& reference) {
    auto it = local_ids.find(reference);
    return it == local_ids.end() ? "sha256:" + reference : it->second;
  }

  DockerVersion Version() override {
    Check();
    return {"20.10-fake", "1.41"};
  }

  std::vector<ObservedContainer> ListContainers(const std::map<std::string, std::string>& labels) override {
    Check();
    std::lock_guard lock(mutex_);
    std::vector<ObservedContainer> out;
    for (const auto& [id, c] : containers_) {
      bool match = true;
      for (const auto& [k, v] : labels) {
        auto it = c.labels.find(k);
        match = match && it != c.labels.end() && it->second == v;
      }
      if (match) out.push_back(c);
    }
    return out;
  }

  ContainerDetails InspectContainer(const std::string& id) override {
    Check();
    std::lock_guard lock(mutex_);
    auto it = containers_.find(id);
    if (it == containers_.end()) throw Error(ErrorCode::kNotFound, "No such container: " + id);
    ContainerDetails d;
    d.container = it->second;
    return d;
  }

  std::string CreateContainer(const ContainerSpec& spec, const std::string& name) override {
    Check();
    std::lock_guard lock(mutex_);
    if (!images.count(spec.image)) throw Error(ErrorCode::kNotFound, "No such image: " + spec.image);
    ObservedContainer c;
    c.id = "fake-" + std::to_string(++next_id_);
    c.name = name;
    c.image = spec.image;
    c.image_id = IdOf(spec.image);
    c.state = ContainerState::kCreated;
    c.created = unix_now ? unix_now() : next_id_;
    c.labels = spec.labels;
    containers_[c.id] = c;
    specs_[c.id] = spec;
    ++creates;
    return c.id;
  }

  void StartContainer(const std::string& id) override {
    Check();
    std::lock_guard lock(mutex_);
    if (!start_error.empty()) throw Error(ErrorCode::kInternal, "start container " + id + ": " + start_error);
    Get(id).state = ContainerState::kRunning;
  }

  void StopContainer(const std::string& id, std::chrono::seconds) override {
    Check();
    std::lock_guard lock(mutex_);
    Get(id).state = ContainerState::kExited;
  }

  void RestartContainer(const std::string& id, std::chrono::seconds) override {
    Check();
    std::lock_guard lock(mutex_);
    auto& c = Get(id);
    c.state = ContainerState::kRunning;
    c.health = Health::kStarting;
    ++restarts;
  }

  void RemoveContainer(const std::string& id) override {
    Check();
    std::lock_guard lock(mutex_);
    if (!containers_.erase(id)) throw Error(ErrorCode::kNotFound, "No such container: " + id);
    ++removes;
  }

  std::optional<ImageInfo> InspectImage(const std::string& reference) override {
    Check();
    std::lock_guard lock(mutex_);
    RefuseUppercase(reference);
    if (!images.count(reference)) return std::nullopt;
    return ImageInfo{IdOf(reference), {reference}};
  }

  void PullImage(const std::string& reference) override {
    Check();
    std::lock_guard lock(mutex_);
    RefuseUppercase(reference);
    ++pulls;
    if (!pull_error.empty()) throw Error(ErrorCode::kFailedPrecondition, "pull " + reference + ": " + pull_error);
    images.insert(reference);
    if (registry_ids.count(reference)) local_ids[reference] = registry_ids[reference];
  }

  int PruneImages() override {
    Check();
    std::lock_guard lock(mutex_);
    ++prunes;
    int deleted = 0;
    for (auto it = images.begin(); it != images.end();) {
      bool used = false;
      for (const auto& [id, c] : containers_) used = used || c.image == *it;
      if (used) {
        ++it;
      } else {
        it = images.erase(it);
        ++deleted;
      }
    }
    return deleted;
  }

  // Events are pushed by tests through Emit(); the stream ends when `stop` is set, and breaks
  // (kUnavailable) when `unavailable` is set, as when dockerd restarts.
  void WatchEvents(const std::map<std::string, std::string>&, const std::function<void()>& on_connected,
                   const std::function<void(const ContainerEvent&)>& on_event, const std::atomic<bool>& stop) override {
    Check();
    if (on_connected) on_connected();
    std::unique_lock lock(mutex_);
    while (!stop) {
      Check();
      while (delivered_ < events_.size()) {  // like dockerd: nothing is replayed on reconnect
        const ContainerEvent event = events_[delivered_++];
        lock.unlock();
        on_event(event);
        lock.lock();
      }
      events_changed_.wait_for(lock, std::chrono::milliseconds(20));
    }
  }
  void Emit(ContainerEvent event) {
    {
      std::lock_guard lock(mutex_);
      events_.push_back(std::move(event));
    }
    events_changed_.notify_all();
  }

  // Test access.
  void Put(ObservedContainer c) {
    std::lock_guard lock(mutex_);
    containers_[c.id] = std::move(c);
  }
  std::vector<ObservedContainer> All() {
    std::lock_guard lock(mutex_);
    std::vector<ObservedContainer> out;
    for (const auto& [id, c] : containers_) out.push_back(c);
    return out;
  }
  ContainerSpec SpecOf(const std::string& id) {
    std::lock_guard lock(mutex_);
    return specs_.at(id);
  }

  int creates = 0, removes = 0, pulls = 0, restarts = 0, prunes = 0;

 private:
  void Check() const {
    if (unavailable) {
      throw Error(ErrorCode::kUnavailable, "dockerd at fake: Couldn't connect to server");
    }
  }
  // dockerd's 400 for references it cannot parse.
  static void RefuseUppercase(const std::string& reference) {
    if (std::any_of(reference.begin(), reference.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; })) {
      throw Error(ErrorCode::kInvalidArgument, "invalid reference format: repository name must be lowercase");
    }
  }
  ObservedContainer& Get(const std::string& id) {
    auto it = containers_.find(id);
    if (it == containers_.end()) throw Error(ErrorCode::kNotFound, "No such container: " + id);
    return it->second;
  }

  std::mutex mutex_;
  std::condition_variable events_changed_;
  std::vector<ContainerEvent> events_;
  size_t delivered_ = 0;
  std::map<std::string, ObservedContainer> containers_;
  std::map<std::string, ContainerSpec> specs_;
  int next_id_ = 0;
};

}  // namespace nebula::agent::testing
