#include "worker-agent/agent/cron_runner.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "worker-agent/agent/action_executor.h"
#include "worker-agent/core/container_labels.h"
#include "common/error.h"

namespace nebula::agent {

namespace {

bool SameStatus(const std::vector<CronJobStatus>& a, const std::vector<CronJobStatus>& b) {
  auto same = [](const CronJobStatus& x, const CronJobStatus& y) {
    const CronJobState &s = x.state, &t = y.state;
    return x.job == y.job && s.generation == t.generation && s.next_run == t.next_run && s.last_start == t.last_start &&
           s.last_finish == t.last_finish && s.last_exit_code == t.last_exit_code && s.running_now == t.running_now &&
           s.errors == t.errors;
  };
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), same);
}

}  // namespace

CronRunner::CronRunner(DockerClient& docker, DesiredSource desired, AgentSettings settings,
                       std::function<int64_t()> unix_now, CronRunnerOptions options)
    : docker_(docker),
      desired_(std::move(desired)),
      settings_(std::move(settings)),
      unix_now_(std::move(unix_now)),
      options_(std::move(options)) {}

CronRunner::~CronRunner() { Stop(); }

int64_t CronRunner::Now() const {
  if (unix_now_) return unix_now_();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void CronRunner::Start() {
  thread_ = std::jthread([this](std::stop_token stop) {
    std::unique_lock lock(wake_mutex_);
    while (!stop.stop_requested()) {
      lock.unlock();
      bool failed = false;
      try {
        Tick();
      } catch (const std::exception& e) {
        spdlog::warn("cron: {}", e.what());
        failed = true;
      }
      // A failed tick (dockerd away) is tried again in a second, as a due run may wait for it.
      auto wait = failed ? std::chrono::milliseconds(1000) : NextTickIn();
      if (options_.idle_look.count() > 0) wait = std::min(wait, options_.idle_look);
      lock.lock();
      wake_.wait_for(lock, stop, wait, [&] { return triggered_; });
      triggered_ = false;
    }
  });
}

void CronRunner::Trigger() {
  {
    std::lock_guard lock(wake_mutex_);
    triggered_ = true;
  }
  wake_.notify_all();
}

std::chrono::milliseconds CronRunner::NextTickIn() const {
  using namespace std::chrono_literals;
  bool running = saw_runs_;
  int64_t next = 0;
  for (const auto& [job, state] : state_) {
    running = running || state.running_now;
    if (state.next_run > 0 && (next == 0 || state.next_run < next)) next = state.next_run;
  }
  if (running) return 1s;  // see runs finish, remove them
  // Nothing due: a day stands for "until Trigger()", and std::chrono waits stay far from overflow.
  if (next == 0) return 24h;
  const int64_t seconds = next - Now();
  return seconds <= 0 ? 0ms : std::chrono::milliseconds(seconds * 1000);
}

void CronRunner::Stop() {
  thread_.request_stop();  // wakes the wait in the loop
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
  // Only this runner creates run containers, and only for a job: with no job and none seen last
  // time there is nothing to list.
  if (!jobs.empty() || saw_runs_ || !listed_) {
    for (auto& c : docker_.ListContainers({{std::string(kLabelManagedBy), std::string(kManagedByValue)},
                                           {std::string(kLabelWorker), settings_.worker_id}})) {
      if (c.labels.count(std::string(kLabelCron))) input.containers.push_back(std::move(c));
    }
    listed_ = true;
    saw_runs_ = !input.containers.empty();
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
  bool changed;
  {
    std::lock_guard lock(status_mutex_);
    changed = !SameStatus(status_, status);
    status_ = std::move(status);
  }
  if (changed && options_.on_status_change) options_.on_status_change();
}

std::vector<CronJobStatus> CronRunner::Status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

}  // namespace nebula::agent
