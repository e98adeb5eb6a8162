// What the cron runner does on one tick (device-group mode), decided without I/O: which jobs start a
// run now, which finished runs are recorded and removed, and each job's next run.
//  - A job's schedule starts at the first tick that sees its generation (missed runs are not
//    caught up, like cron).
//  - When a run is due while the previous run of the job still runs, the due run is skipped (never
//    two runs of one job at once) and the report says so.
//  - Finished runs (exited, dead) are removed once their exit code was recorded; runs of jobs no
//    longer in the group are left to finish, then removed.
//  - running=false: nothing new starts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "worker-agent/core/container_spec.h"
#include "worker-agent/core/desired_view.h"
#include "worker-agent/core/observed_container.h"

namespace nebula::agent {

struct CronJobState {
  int64_t generation = 0;
  int64_t next_run = 0;  // unix seconds; 0 = none (bad schedule, not running, no future match)
  std::optional<int64_t> last_start;
  std::optional<int64_t> last_finish;
  int32_t last_exit_code = 0;
  bool running_now = false;
  std::vector<std::string> errors;
};

struct CronRun {
  std::string job;
  int64_t scheduled = 0;
  ContainerSpec spec;
};

struct FinishedRun {
  std::string job;
  std::string container_id;
  int exit_code = -1;
};

struct CronPlanInput {
  std::vector<CronDesire> jobs;
  std::vector<ObservedContainer> containers;  // this worker's cron-run containers
  std::map<std::string, CronJobState> state;  // from the previous tick
  int64_t now = 0;
  AgentSettings settings;
};

struct CronPlan {
  std::vector<CronRun> starts;
  std::vector<FinishedRun> finished;          // record, then remove
  std::map<std::string, CronJobState> state;  // for the next tick and the report (jobs of the group)
};

CronPlan PlanCron(const CronPlanInput& input);

// The container of one run: the job's spec, restart policy "no", labels managed-by, worker, cron,
// cron-run (the scheduled time) and generation.
ContainerSpec BuildCronContainerSpec(const std::string& job, const v1::CronJobSpec& spec, int64_t generation,
                                     int64_t scheduled, const AgentSettings& settings);

}  // namespace nebula::agent
