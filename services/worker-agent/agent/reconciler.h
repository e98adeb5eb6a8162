// The imperative shell around PlanReconcile: list this worker's containers, plan, execute, record
// what it saw. Runs at start, when the desired state changes, every --resync-seconds, and after a
// failure with exponential backoff. dockerd unreachable: nothing is touched, it retries. Before the
// initial read of nebula.desired caught up it does nothing at all (adoption after a restart).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "agent/action_executor.h"
#include "core/desired_view.h"
#include "core/host_facts.h"
#include "core/observed_container.h"
#include "docker/docker_client.h"

namespace nebula::agent {

struct ReconcilerOptions {
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
  std::chrono::milliseconds min_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(60)};
  ExecutorOptions executor;
};

struct AppStatus {
  std::string app;
  bool listed = true;
  int64_t observed_generation = 0;
  int64_t converged_generation = 0;
  int32_t desired_containers = 0;
  int32_t running_containers = 0;
  std::vector<ObservedContainer> containers;
  std::vector<std::string> errors;
};

struct AgentStatus {
  bool synced = false;  // initial read of nebula.desired caught up
  std::vector<AppStatus> apps;
  std::string docker_version;
  int64_t passes = 0;
};

enum class PassResult {
  kWaiting,    // desired state not read yet
  kConverged,  // nothing to do
  kActed,      // actions ran, all succeeded: look again
  kFailed,     // something failed: retry after backoff
};

class Reconciler {
 public:
  using DesiredSource = std::function<DesiredView()>;

  Reconciler(DockerClient& docker, DesiredSource desired, HostFacts host, AgentSettings settings,
             ReconcilerOptions options);
  ~Reconciler();

  void Start();
  // Lets the Docker calls in flight finish, starts no new step, and returns. Containers stay.
  void Stop();
  // The desired state changed: reconcile now (also cuts a backoff short).
  void Trigger();

  // One pass on the caller's thread (the loop calls it; tests too).
  PassResult RunPass();

  AgentStatus Status() const;

 private:
  void Loop();
  void RecordDockerFailure(const DesiredView& view, const std::string& error);

  DockerClient& docker_;
  DesiredSource desired_;
  HostFacts host_;
  AgentSettings settings_;
  ReconcilerOptions options_;
  ActionExecutor executor_;

  mutable std::mutex status_mutex_;
  AgentStatus status_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool triggered_ = true;  // the first pass runs at once
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace nebula::agent
