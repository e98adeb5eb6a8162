// The imperative shell around PlanReconcile: list this worker's containers, plan, execute, record
// what it saw. Runs at start, when the desired state changes, when dockerd reports that a managed
// container died or vanished (DriftWatch), every --resync-seconds, and after a failure with
// exponential backoff. Repairs are backed off per container slot (RepairBackoff): a container that dies as
// soon as it starts is recreated once per backoff step, whatever triggers the passes. dockerd unreachable: nothing is
// touched, it retries. Before the initial read of nebula.desired caught up it does nothing at all (adoption after a
// restart).
#pragma once

#include <stop_token>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "worker-agent/agent/action_executor.h"
#include "worker-agent/core/cron_plan.h"
#include "worker-agent/core/desired_view.h"
#include "worker-agent/core/host_facts.h"
#include "worker-agent/core/observed_container.h"
#include "worker-agent/core/problem.h"
#include "worker-agent/core/reconcile_plan.h"
#include "worker-agent/core/repair_backoff.h"
#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

struct ReconcilerOptions {
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
  std::chrono::milliseconds min_backoff{std::chrono::seconds(1)};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(60)};
  // Per container slot: a repair within `stable` of the previous one waits 1 s, 2 s, 4 s, … (crash loops).
  RepairBackoffOptions repair;
  std::chrono::milliseconds drift_recheck{300};
  ExecutorOptions executor;
  // The time source of the repair backoff (tests pass their own); empty = steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
  // Wall clock in unix seconds for container ages (rolling updates); empty = system_clock.
  std::function<int64_t()> unix_now;
  // A failed pull refresh is tried again after this long (meanwhile the app runs as it is).
  std::chrono::milliseconds pull_retry{std::chrono::seconds(30)};
  // Called on the reconciler's thread after every pass, as Status() may have changed (the report
  // publisher compares then instead of polling).
  std::function<void()> on_status_change;
};

struct AppStatus {
  std::string app;
  bool listed = true;
  int64_t observed_generation = 0;
  int64_t converged_generation = 0;
  int32_t desired_containers = 0;
  int32_t running_containers = 0;
  std::vector<ObservedContainer> containers;
  std::vector<Problem> errors;  // what GetStatus and reports print (the texts)
};

struct AgentStatus {
  bool synced = false;  // initial read of nebula.desired caught up
  std::optional<std::string> device_group;
  std::vector<std::string> app_list;  // the apps to run now (the group's, in group mode)
  // Filled in by the cron runner's owner (device-group mode), not by the Reconciler.
  std::vector<std::pair<std::string, CronJobState>> cron_jobs;
  // The newest prune generations carried out (images pruned when they grow).
  int64_t pruned_group_generation = 0;
  int64_t pruned_global_generation = 0;
  std::vector<AppStatus> apps;
  std::string docker_version;
  int64_t passes = 0;
};

enum class PassResult {
  kWaiting,     // desired state not read yet
  kConverged,   // nothing to do
  kActed,       // actions ran, all succeeded: look again
  kFailed,      // something failed: retry after backoff
  kBackingOff,  // nothing ran: apps that need action wait for their repair backoff
  kRolling,     // nothing to do yet: a rolling update waits for new containers to become ready
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
  // dockerd reported a managed container dying or vanishing: reconcile now, and once more
  // `drift_recheck` later, because dockerd emits "die" before its container list shows the
  // container as exited (the first pass may still see it running).
  void TriggerAfterDrift();

  // One pass on the caller's thread (the loop calls it; tests too). Once `stop` is requested it
  // starts no new step.
  PassResult RunPass(std::stop_token stop = {});

  AgentStatus Status() const;

 private:
  void Loop(std::stop_token stop);
  // The steps of RunPass, in order.
  struct PassInput {
    PlanInput plan;
    std::string docker_version;  // empty: known already
  };
  PassResult RecordWaiting(const DesiredView& view);
  // Lists dockerd's side; nullopt when dockerd failed (recorded as every app's error).
  std::optional<PassInput> GatherInput(const DesiredView& view);
  // What the shell knows and the pure plan does not: repair backoff, roll rechecks, failed pulls.
  void AddShellFacts(std::vector<AppPlan>& plans);
  void RecordPlans(const DesiredView& view, const PassInput& input, const std::vector<AppPlan>& plans);
  PassResult FinishIdlePass(const DesiredView& view, const std::vector<AppPlan>& plans);
  // Repair backoff and pull refreshes, after the executor ran the plans.
  void RememberActed(const std::vector<AppPlan>& plans, const std::map<std::string, AppOutcome>& outcomes);
  PassResult RecordOutcomes(const std::map<std::string, AppOutcome>& outcomes);
  void RecordDockerFailure(const DesiredView& view, const std::string& error);
  std::chrono::steady_clock::time_point Now() const;
  // Drops the actions of container slots still in their repair backoff; returns the earliest time
  // one may act.
  std::optional<std::chrono::steady_clock::time_point> DeferBackingOff(std::vector<AppPlan>& plans);

  DockerClient& docker_;
  DesiredSource desired_;
  HostFacts host_;
  AgentSettings settings_;
  ReconcilerOptions options_;
  ActionExecutor executor_;
  RepairBackoff repair_backoff_;                                                 // used by RunPass only
  std::map<std::string, std::chrono::steady_clock::time_point> logged_backoff_;  // RunPass only
  // When the earliest app in repair backoff may act (set by RunPass, read by the loop).
  std::optional<std::chrono::steady_clock::time_point> next_repair_;
  // When a rolling update wants another look (set by RunPass, read by the loop).
  std::optional<std::chrono::steady_clock::time_point> next_roll_check_;
  // Pull refreshes done (app → pull key), and failed ones (not retried before pull_retry passed).
  std::map<std::string, std::string> pulled_;
  struct FailedPull {
    std::string key;
    std::chrono::steady_clock::time_point at;
    std::string error;
  };
  std::map<std::string, FailedPull> failed_pulls_;
  int64_t pruned_group_ = 0, pruned_global_ = 0;  // RunPass only
  // Prunes once every app converged and a prune generation grew.
  void PruneIfAsked(const DesiredView& view);

  mutable std::mutex status_mutex_;
  AgentStatus status_;

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;  // woken by Trigger() and by the thread's stop token
  bool triggered_ = true;             // the first pass runs at once
  std::optional<std::chrono::steady_clock::time_point> recheck_at_;
  std::jthread thread_;
};

}  // namespace nebula::agent
