#include "agent/cron_runner.h"

#include <spdlog/spdlog.h>

#include "agent/action_executor.h"
#include "core/container_labels.h"
#include "error.h"

namespace nebula::agent {

CronRunner::CronRunner(DockerClient& docker, DesiredSource desired, AgentSettings settings,
                       std::function<int64_t()> unix_now)
    : docker_(docker), desired_(std::move(desired)), settings_(std::move(settings)), unix_now_(std::move(unix_now)) {}

CronRunner::~CronRunner() { Stop(); }

int64_t CronRunner::Now() const {
  if (unix_now_) return unix_now_();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void CronRunner::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(wake_mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        Tick();
      } catch (const std::exception& e) {
        spdlog::warn("cron: {}", e.what());
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  });
}

void CronRunner::Stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CronRunner::StartRun(const CronRun& run, CronJobState& state) {
  const auto& image = run.spec.image;
  const auto desired = desired_();
  v1::PullPolicy policy = v1::PULL_POLICY_UNSPECIFIED;
  for (const auto& job : desired.CronJobs()) {
    if (job.name == run.job) policy = job.job.spec().pull_policy();
  }
  try {
    // Like the original: `always` pulls for every run.
    if (policy == v1::PULL_POLICY_ALWAYS || (policy != v1::PULL_POLICY_NEVER && !docker_.InspectImage(image))) {
      docker_.PullImage(image);
    }
    const std::string name = NewContainerName(run.job, static_cast<int32_t>(run.scheduled % 1000000));
    const std::string id = docker_.CreateContainer(run.spec, name);
    docker_.StartContainer(id);
    spdlog::info("cron job {}: run for {} started ({})", run.job, run.scheduled, id.substr(0, 12));
  } catch (const std::exception& e) {
    spdlog::warn("cron job {}: run for {} failed to start: {}", run.job, run.scheduled, e.what());
    state.errors.push_back(std::string("run failed to start: ") + e.what());
    state.running_now = false;
  }
}

void CronRunner::Tick() {
  const DesiredView view = desired_();
  if (!view.caught_up()) return;
  const auto jobs = view.CronJobs();
  CronPlanInput input;
  input.jobs = jobs;
  input.state = state_;
  input.now = Now();
  input.settings = settings_;
  for (auto& c : docker_.ListContainers({{std::string(kLabelManagedBy), std::string(kManagedByValue)},
                                         {std::string(kLabelWorker), settings_.worker_id}})) {
    if (c.labels.count(std::string(kLabelCron))) input.containers.push_back(std::move(c));
  }
  CronPlan plan = PlanCron(input);
  for (const auto& f : plan.finished) {
    spdlog::info("cron job {}: run {} finished with exit code {}", f.job, f.container_id.substr(0, 12), f.exit_code);
    try {
      docker_.RemoveContainer(f.container_id);
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kNotFound) spdlog::warn("cron job {}: remove finished run: {}", f.job, e.what());
    }
  }
  for (const auto& run : plan.starts) StartRun(run, plan.state[run.job]);
  state_ = plan.state;

  std::vector<CronJobStatus> status;
  for (const auto& name : view.cron_job_names()) {
    auto it = state_.find(name);
    CronJobStatus s{name, it == state_.end() ? CronJobState{} : it->second};
    if (it == state_.end()) s.state.errors.push_back("no desired state for this cron job");
    status.push_back(std::move(s));
  }
  std::lock_guard lock(status_mutex_);
  status_ = std::move(status);
}

std::vector<CronJobStatus> CronRunner::Status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

}  // namespace nebula::agent
