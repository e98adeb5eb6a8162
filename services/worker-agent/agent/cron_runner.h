// Runs the device group's cron jobs (PlanCron) on its own thread: starts due runs, records the exit
// codes of finished runs and removes their containers. Never two runs of a job at once. Does
// nothing before the initial read of nebula.desired caught up.
//
// When it ticks: every second while a run is going (to see it finish), at the next due run, on
// Trigger() (the desired state changed), and at least every `idle_look` (the default 1 s keeps an
// owner that does not call Trigger() correct; one that does can set 0 and then an agent without
// cron jobs never wakes for them). No cron job and no run container: no Docker call at all.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "worker-agent/core/cron_plan.h"
#include "worker-agent/core/desired_view.h"
#include "worker-agent/docker/docker_client.h"

namespace nebula::agent {

struct CronJobStatus {
  std::string job;
  CronJobState state;
};

struct CronRunnerOptions {
  // The longest an idle runner goes without looking at the desired state; 0 = no limit (only for an
  // owner that calls Trigger() on every desired-state change).
  std::chrono::milliseconds idle_look{std::chrono::seconds(1)};
  // Called on the runner's thread when Status() changed (the report publisher's Notify()).
  std::function<void()> on_status_change;
};

class CronRunner {
 public:
  using DesiredSource = std::function<DesiredView()>;

  CronRunner(DockerClient& docker, DesiredSource desired, AgentSettings settings,
             std::function<int64_t()> unix_now = {}, CronRunnerOptions options = {});
  ~CronRunner();

  void Start();
  void Stop();
  // The desired state changed: tick now.
  void Trigger();
  // One tick on the caller's thread (the loop calls it; tests too).
  void Tick();
  std::vector<CronJobStatus> Status() const;
  // How long the loop may sleep after the last Tick() (before `idle_look` caps it).
  std::chrono::milliseconds NextTickIn() const;

 private:
  void StartRun(const CronRun& run, CronJobState& state);
  int64_t Now() const;

  DockerClient& docker_;
  DesiredSource desired_;
  AgentSettings settings_;
  std::function<int64_t()> unix_now_;
  std::map<std::string, CronJobState> state_;  // Tick only
  std::vector<std::string> order_;             // the group's order, for reports
  bool listed_ = false;    // Tick only: containers were listed once (an agent restart may find runs)
  bool saw_runs_ = false;  // Tick only: the last listing had run containers
  CronRunnerOptions options_;

  mutable std::mutex status_mutex_;
  std::vector<CronJobStatus> status_;

  std::mutex wake_mutex_;
  std::condition_variable_any wake_;  // woken by Trigger() and by the thread's stop token
  bool triggered_ = false;
  std::jthread thread_;
};

}  // namespace nebula::agent
