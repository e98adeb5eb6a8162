// Runs the device group's cron jobs (PlanCron) on its own thread, one tick a second: starts due
// runs, records the exit codes of finished runs and removes their containers. Never two runs of a
// job at once. Does nothing before the initial read of nebula.desired caught up.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/cron_plan.h"
#include "core/desired_view.h"
#include "docker/docker_client.h"

namespace nebula::agent {

struct CronJobStatus {
  std::string job;
  CronJobState state;
};

class CronRunner {
 public:
  using DesiredSource = std::function<DesiredView()>;

  CronRunner(DockerClient& docker, DesiredSource desired, AgentSettings settings,
             std::function<int64_t()> unix_now = {});
  ~CronRunner();

  void Start();
  void Stop();
  // One tick on the caller's thread (the loop calls it; tests too).
  void Tick();
  std::vector<CronJobStatus> Status() const;

 private:
  void StartRun(const CronRun& run, CronJobState& state);
  int64_t Now() const;

  DockerClient& docker_;
  DesiredSource desired_;
  AgentSettings settings_;
  std::function<int64_t()> unix_now_;
  std::map<std::string, CronJobState> state_;  // Tick only
  std::vector<std::string> order_;             // the group's order, for reports

  mutable std::mutex status_mutex_;
  std::vector<CronJobStatus> status_;

  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace nebula::agent
