#include "worker-agent/core/cron_plan.h"

#include "worker-agent/core/container_labels.h"
#include "worker-agent/core/cron_expression.h"

namespace nebula::agent {

namespace {

std::string Label(const ObservedContainer& c, std::string_view key) {
  auto it = c.labels.find(std::string(key));
  return it == c.labels.end() ? std::string() : it->second;
}

bool Finished(const ObservedContainer& c) {
  return c.state == ContainerState::kExited || c.state == ContainerState::kDead;
}

}  // namespace

ContainerSpec BuildCronContainerSpec(const std::string& job, const v1::CronJobSpec& spec, int64_t generation,
                                     int64_t scheduled, const AgentSettings& settings) {
  // The app spec builder resolves every shared field the same way (env order, devices, limits).
  v1::AppSpec app;
  app.set_image(spec.image());
  *app.mutable_env() = spec.env();
  *app.mutable_volumes() = spec.volumes();
  *app.mutable_devices() = spec.devices();
  app.set_privileged(spec.privileged());
  *app.mutable_networks() = spec.networks();
  *app.mutable_command() = spec.command();
  *app.mutable_args() = spec.args();
  *app.mutable_resources() = spec.resources();
  app.set_restart_policy(v1::RESTART_POLICY_NO);
  ContainerSpec c = BuildContainerSpec(job, app, generation, 0, settings);
  c.labels.erase(std::string(kLabelApp));
  c.labels.erase(std::string(kLabelIndex));
  c.labels[std::string(kLabelCron)] = job;
  c.labels[std::string(kLabelCronRun)] = std::to_string(scheduled);
  return c;
}

CronPlan PlanCron(const CronPlanInput& input) {
  CronPlan plan;
  std::map<std::string, std::vector<const ObservedContainer*>> runs;
  for (const auto& c : input.containers) {
    const std::string job = Label(c, kLabelCron);
    if (job.empty()) continue;
    if (Finished(c)) {
      plan.finished.push_back({job, c.id, c.exit_code});
    } else if (c.state != ContainerState::kRemoving) {
      runs[job].push_back(&c);
    }
  }

  for (const auto& desire : input.jobs) {
    auto previous = input.state.find(desire.name);
    CronJobState state = previous == input.state.end() ? CronJobState{} : previous->second;
    state.errors.clear();
    for (const auto& f : plan.finished) {
      if (f.job != desire.name) continue;
      state.last_finish = input.now;
      state.last_exit_code = f.exit_code;
    }
    state.running_now = runs.count(desire.name) > 0;

    const bool enabled = !desire.job.has_running() || desire.job.running();
    std::string error;
    const auto cron = ParseCron(desire.job.schedule(), &error);
    if (!cron) {
      state.errors.push_back("schedule \"" + desire.job.schedule() + "\": " + error);
      state.next_run = 0;
    } else if (!enabled) {
      state.next_run = 0;
    } else if (state.generation != desire.generation || state.next_run == 0) {
      state.next_run = NextRun(*cron, input.now).value_or(0);  // a fresh schedule: no catch-up
    } else if (input.now >= state.next_run) {
      if (state.running_now) {
        state.errors.push_back("run due at " + std::to_string(state.next_run) +
                               " skipped: the previous run is still running");
      } else if (desire.job.spec().image().empty()) {
        state.errors.push_back("no image");
      } else {
        plan.starts.push_back(CronRun{
            desire.name, state.next_run,
            BuildCronContainerSpec(desire.name, desire.job.spec(), desire.generation, state.next_run, input.settings)});
        state.last_start = input.now;
        state.running_now = true;
      }
      state.next_run = NextRun(*cron, input.now).value_or(0);
    }
    if (cron && enabled && state.next_run == 0) state.errors.push_back("the schedule never matches again");
    state.generation = desire.generation;
    plan.state[desire.name] = std::move(state);
  }
  return plan;
}

}  // namespace nebula::agent
