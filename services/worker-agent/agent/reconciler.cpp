#include "worker-agent/agent/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "worker-agent/core/container_labels.h"
#include "worker-agent/core/reconcile_plan.h"
#include "common/error.h"

namespace nebula::agent {

namespace {

using Clock = std::chrono::steady_clock;

// Consecutive acting passes before the loop backs off: a container that dies as soon as it is
// started must not turn the agent into a busy loop.
constexpr int kMaxActingPassesInARow = 5;

constexpr std::string_view kBackingOffNote =
    "needs repair again soon after the last one (crash loop?): backing off before the next repair";

// Repairs are backed off per container slot, so that putting back one container does not delay
// putting back another of the same app; "web[2]", or "web[pull]" for the app's image.
std::string RepairSlot(const Action& action) {
  return action.app + "[" + (action.kind == ActionKind::kPullImage ? "pull" : std::to_string(action.index)) + "]";
}

const AppStatus* Find(const std::vector<AppStatus>& apps, const std::string& app) {
  auto it = std::find_if(apps.begin(), apps.end(), [&](const AppStatus& s) { return s.app == app; });
  return it == apps.end() ? nullptr : &*it;
}

}  // namespace

Reconciler::Reconciler(DockerClient& docker, DesiredSource desired, HostFacts host, AgentSettings settings,
                       ReconcilerOptions options)
    : docker_(docker),
      desired_(std::move(desired)),
      host_(host),
      settings_(std::move(settings)),
      options_(options),
      executor_(docker, options.executor),
      repair_backoff_(options.repair) {}

Clock::time_point Reconciler::Now() const { return options_.clock ? options_.clock() : Clock::now(); }

std::optional<Clock::time_point> Reconciler::DeferBackingOff(std::vector<AppPlan>& plans) {
  std::optional<Clock::time_point> earliest;
  const auto now = Now();
  for (auto& plan : plans) {
    bool deferred = false;
    for (auto& step : plan.steps) {
      std::erase_if(step, [&](const Action& action) {
        const std::string slot = RepairSlot(action);
        const auto allowed = repair_backoff_.NextAllowed(slot, plan.generation, now);
        if (allowed <= now) return false;
        // Once per backoff step, not once per pass (every die event triggers one).
        if (logged_backoff_[slot] != allowed) {
          logged_backoff_[slot] = allowed;
          spdlog::info("{}: needs repair again soon after the last one; backing off, next try in {:.1f}s", slot,
                       std::chrono::duration<double>(allowed - now).count());
        }
        if (!earliest || allowed < *earliest) earliest = allowed;
        deferred = true;
        return true;
      });
    }
    std::erase_if(plan.steps, [](const std::vector<Action>& step) { return step.empty(); });
    // No countdown in the text: a report that changes every pass would be republished every pass.
    if (deferred) plan.problems.push_back({ProblemKind::kRepairBackingOff, std::string(kBackingOffNote)});
  }
  return earliest;
}

Reconciler::~Reconciler() { Stop(); }

void Reconciler::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void Reconciler::Stop() {
  thread_.request_stop();  // wakes the wait in Loop, and the executor starts no new step
  if (thread_.joinable()) thread_.join();
}

void Reconciler::Trigger() {
  {
    std::lock_guard lock(wake_mutex_);
    triggered_ = true;
  }
  wake_.notify_all();
}

void Reconciler::TriggerAfterDrift() {
  {
    std::lock_guard lock(wake_mutex_);
    triggered_ = true;
    recheck_at_ = Clock::now() + options_.drift_recheck;
  }
  wake_.notify_all();
}

AgentStatus Reconciler::Status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void Reconciler::RecordDockerFailure(const DesiredView& view, const std::string& error) {
  std::lock_guard lock(status_mutex_);
  status_.synced = view.caught_up();
  ++status_.passes;
  std::vector<AppStatus> apps;
  for (const auto& app : view.apps()) {
    const AppStatus* before = Find(status_.apps, app);
    AppStatus s = before ? *before : AppStatus{};
    s.app = app;
    s.observed_generation = view.Desire(app).generation;
    s.errors = {{ProblemKind::kDockerUnreachable, "docker: " + error}};
    apps.push_back(std::move(s));
  }
  status_.apps = std::move(apps);
}

PassResult Reconciler::RunPass(std::stop_token stop) {
  const DesiredView view = desired_();
  if (!view.caught_up()) return RecordWaiting(view);
  std::optional<PassInput> input = GatherInput(view);
  if (!input) return PassResult::kFailed;

  std::vector<AppPlan> plans = PlanReconcile(input->plan);
  AddShellFacts(plans);
  RecordPlans(view, *input, plans);
  size_t actions = 0;
  for (const auto& plan : plans) {
    for (const auto& step : plan.steps) actions += step.size();
  }
  if (actions == 0) return FinishIdlePass(view, plans);

  spdlog::info("reconcile: {} actions", actions);
  const auto outcomes = executor_.Execute(plans, stop);
  RememberActed(plans, outcomes);
  return RecordOutcomes(outcomes);
}

PassResult Reconciler::RecordWaiting(const DesiredView& view) {
  std::lock_guard lock(status_mutex_);
  if (status_.passes == 0) {
    spdlog::info("waiting for the initial read of nebula.desired before touching any container");
    for (const auto& app : view.apps()) status_.apps.push_back(AppStatus{app});
  }
  ++status_.passes;
  return PassResult::kWaiting;
}

std::optional<Reconciler::PassInput> Reconciler::GatherInput(const DesiredView& view) {
  PassInput pass;
  PlanInput& input = pass.plan;
  input.host = host_;
  input.settings = settings_;
  input.now =
      options_.unix_now
          ? options_.unix_now()
          : std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
                .count();
  input.pulled = pulled_;
  // A failed refresh counts as done until it may be retried, so the app runs on as it is.
  for (auto it = failed_pulls_.begin(); it != failed_pulls_.end();) {
    if (Now() - it->second.at >= options_.pull_retry) {
      it = failed_pulls_.erase(it);
    } else {
      input.pulled[it->first] = it->second.key;
      ++it;
    }
  }
  std::set<std::string> images;
  for (const auto& app : view.apps()) {
    AppDesire desire = view.Desire(app);
    if (desire.kind == DesireKind::kPresent && !desire.spec.image().empty()) images.insert(desire.spec.image());
    input.apps.emplace_back(app, std::move(desire));
  }

  try {
    input.containers = docker_.ListContainers({{std::string(kLabelManagedBy), std::string(kManagedByValue)},
                                               {std::string(kLabelWorker), settings_.worker_id}});
    for (const auto& image : images) {
      try {
        if (auto info = docker_.InspectImage(image)) {
          input.present_images.insert(image);
          input.image_ids[image] = info->id;
        }
      } catch (const Error& e) {
        // One app's unusable reference must not stop the others: it counts as absent, and its
        // pull reports the problem on that app.
        if (e.code() == ErrorCode::kUnavailable) throw;
      }
    }
    if (Status().docker_version.empty()) pass.docker_version = docker_.Version().version;
  } catch (const std::exception& e) {
    spdlog::warn("dockerd: {}; leaving containers as they are and retrying", e.what());
    RecordDockerFailure(view, e.what());
    return std::nullopt;
  }
  return pass;
}

void Reconciler::AddShellFacts(std::vector<AppPlan>& plans) {
  next_repair_ = DeferBackingOff(plans);
  next_roll_check_.reset();
  for (auto& plan : plans) {
    if (plan.recheck_ms > 0) {
      const auto at = Now() + std::chrono::milliseconds(plan.recheck_ms);
      if (!next_roll_check_ || at < *next_roll_check_) next_roll_check_ = at;
    }
    auto failed = failed_pulls_.find(plan.app);
    if (failed != failed_pulls_.end() && plan.pull_key.empty()) {
      plan.problems.push_back({ProblemKind::kPullRefreshFailed,
                               "pull failed (the containers keep their image; retrying): " + failed->second.error});
    }
  }
}

void Reconciler::RecordPlans(const DesiredView& view, const PassInput& input, const std::vector<AppPlan>& plans) {
  std::lock_guard lock(status_mutex_);
  std::vector<AppStatus> apps;
  for (const auto& plan : plans) {
    const AppStatus* before = Find(status_.apps, plan.app);
    AppStatus s;
    s.app = plan.app;
    s.listed = plan.listed;
    s.observed_generation = plan.generation;
    s.desired_containers = plan.desired_containers;
    s.converged_generation = before ? before->converged_generation : 0;
    if (plan.converged()) {
      if (s.converged_generation != plan.generation || !before) {
        spdlog::info("{} converged at generation {} ({} containers)", plan.app, plan.generation,
                     plan.desired_containers);
      }
      s.converged_generation = plan.generation;
    }
    for (const auto& c : input.plan.containers) {
      if (ReadIdentity(c).app != plan.app) continue;
      s.containers.push_back(c);
      if (c.state == ContainerState::kRunning) ++s.running_containers;
    }
    if (before && !plan.problems.empty() && plan.problems.back().kind == ProblemKind::kRepairBackingOff) {
      // Backing off: what went wrong last time is still the news.
      for (const auto& e : before->errors) {
        if (e.kind != ProblemKind::kRepairBackingOff) s.errors.push_back(e);
      }
    }
    s.errors.insert(s.errors.end(), plan.problems.begin(), plan.problems.end());
    apps.push_back(std::move(s));
  }
  status_.synced = true;
  if (!input.docker_version.empty()) status_.docker_version = input.docker_version;
  status_.apps = std::move(apps);
  status_.device_group = view.group();
  status_.app_list = view.apps();
}

PassResult Reconciler::FinishIdlePass(const DesiredView& view, const std::vector<AppPlan>& plans) {
  const bool all_converged =
      std::all_of(plans.begin(), plans.end(), [](const AppPlan& plan) { return plan.converged(); });
  if (all_converged) PruneIfAsked(view);
  std::lock_guard lock(status_mutex_);
  ++status_.passes;
  if (next_repair_) return PassResult::kBackingOff;
  return next_roll_check_ ? PassResult::kRolling : PassResult::kConverged;
}

void Reconciler::RememberActed(const std::vector<AppPlan>& plans, const std::map<std::string, AppOutcome>& outcomes) {
  const auto acted_at = Now();
  for (const auto& plan : plans) {
    std::set<std::string> slots;
    for (const auto& step : plan.steps) {
      for (const auto& action : step) slots.insert(RepairSlot(action));
    }
    for (const auto& slot : slots) repair_backoff_.Acted(slot, plan.generation, acted_at);
    if (plan.pull_key.empty() || plan.steps.empty()) continue;
    auto it = outcomes.find(plan.app);
    if (it == outcomes.end()) continue;
    if (it->second.errors.empty()) {
      pulled_[plan.app] = plan.pull_key;
      failed_pulls_.erase(plan.app);
    } else {
      failed_pulls_[plan.app] = FailedPull{plan.pull_key, acted_at, it->second.errors.front()};
    }
  }
}

PassResult Reconciler::RecordOutcomes(const std::map<std::string, AppOutcome>& outcomes) {
  bool failed = false;
  std::lock_guard lock(status_mutex_);
  ++status_.passes;
  for (auto& s : status_.apps) {
    auto it = outcomes.find(s.app);
    if (it == outcomes.end()) continue;
    failed = failed || !it->second.errors.empty();
    for (const auto& e : it->second.errors) s.errors.push_back({ProblemKind::kActionFailed, e});
  }
  return failed ? PassResult::kFailed : PassResult::kActed;
}

void Reconciler::PruneIfAsked(const DesiredView& view) {
  const int64_t group = view.group_prune_generation(), global = view.global_prune_generation();
  if (group <= pruned_group_ && global <= pruned_global_) return;
  try {
    const int deleted = docker_.PruneImages();
    spdlog::info("pruned {} unused images (group prune generation {}, global {})", deleted, group, global);
    pruned_group_ = std::max(pruned_group_, group);
    pruned_global_ = std::max(pruned_global_, global);
    std::lock_guard lock(status_mutex_);
    status_.pruned_group_generation = pruned_group_;
    status_.pruned_global_generation = pruned_global_;
  } catch (const std::exception& e) {
    spdlog::warn("prune images: {} (retrying at the next pass)", e.what());
  }
}

void Reconciler::Loop(std::stop_token stop) {
  auto backoff = options_.min_backoff;
  int acting_in_a_row = 0;
  auto next = Clock::now();
  while (true) {
    {
      std::unique_lock lock(wake_mutex_);
      const auto deadline = recheck_at_ ? std::min(next, *recheck_at_) : next;
      wake_.wait_until(lock, stop, deadline, [&] { return triggered_; });
      if (stop.stop_requested()) return;
      if (recheck_at_ && Clock::now() >= *recheck_at_) recheck_at_.reset();
      if (triggered_) backoff = options_.min_backoff;  // new desired state deserves a fresh try
      triggered_ = false;
    }

    PassResult result;
    try {
      result = RunPass(stop);
    } catch (const std::exception& e) {
      spdlog::error("reconcile pass failed: {}", e.what());
      result = PassResult::kFailed;
    }
    if (options_.on_status_change) options_.on_status_change();

    if (result == PassResult::kActed && ++acting_in_a_row < kMaxActingPassesInARow) {
      next = Clock::now();  // verify what was done, right away
      continue;
    }
    if (result == PassResult::kBackingOff || result == PassResult::kRolling) {
      backoff = options_.min_backoff;
      auto wake = Clock::now() + options_.resync;
      if (next_repair_) wake = std::min(wake, *next_repair_);
      // The roll's recheck is on the injectable clock; the loop sleeps on the real one.
      if (next_roll_check_) wake = std::min(wake, Clock::now() + (*next_roll_check_ - Now()));
      next = wake;
    } else if (result == PassResult::kActed || result == PassResult::kFailed) {
      spdlog::info("reconcile: retrying in {:.1f}s", std::chrono::duration<double>(backoff).count());
      next = Clock::now() + backoff;
      backoff = std::min(backoff * 2, options_.max_backoff);
    } else {
      backoff = options_.min_backoff;
      next = Clock::now() + options_.resync;
    }
    acting_in_a_row = 0;
  }
}

}  // namespace nebula::agent
