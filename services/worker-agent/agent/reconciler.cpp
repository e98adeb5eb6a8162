#include "agent/reconciler.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "core/container_labels.h"
#include "core/reconcile_plan.h"
#include "error.h"

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
    if (deferred) plan.problems.push_back(std::string(kBackingOffNote));
  }
  return earliest;
}

Reconciler::~Reconciler() { Stop(); }

void Reconciler::Start() {
  thread_ = std::thread([this] { Loop(); });
}

void Reconciler::Stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
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
    s.errors = {"docker: " + error};
    apps.push_back(std::move(s));
  }
  status_.apps = std::move(apps);
}

PassResult Reconciler::RunPass() {
  const DesiredView view = desired_();
  if (!view.caught_up()) {
    std::lock_guard lock(status_mutex_);
    if (status_.passes == 0) {
      spdlog::info("waiting for the initial read of nebula.desired before touching any container");
      for (const auto& app : view.apps()) status_.apps.push_back(AppStatus{app});
    }
    ++status_.passes;
    return PassResult::kWaiting;
  }

  PlanInput input;
  input.host = host_;
  input.settings = settings_;
  std::set<std::string> images;
  for (const auto& app : view.apps()) {
    AppDesire desire = view.Desire(app);
    if (desire.kind == DesireKind::kPresent && !desire.spec.image().empty()) images.insert(desire.spec.image());
    input.apps.emplace_back(app, std::move(desire));
  }

  std::string docker_version;
  try {
    input.containers = docker_.ListContainers({{std::string(kLabelManagedBy), std::string(kManagedByValue)},
                                               {std::string(kLabelWorker), settings_.worker_id}});
    for (const auto& image : images) {
      try {
        if (docker_.InspectImage(image)) input.present_images.insert(image);
      } catch (const Error& e) {
        // One app's unusable reference must not stop the others: it counts as absent, and its
        // pull reports the problem on that app.
        if (e.code() == ErrorCode::kUnavailable) throw;
      }
    }
    if (Status().docker_version.empty()) docker_version = docker_.Version().version;
  } catch (const std::exception& e) {
    spdlog::warn("dockerd: {}; leaving containers as they are and retrying", e.what());
    RecordDockerFailure(view, e.what());
    return PassResult::kFailed;
  }

  std::vector<AppPlan> plans = PlanReconcile(input);
  next_repair_ = DeferBackingOff(plans);
  size_t actions = 0;
  for (const auto& plan : plans) {
    for (const auto& step : plan.steps) actions += step.size();
  }

  std::vector<AppStatus> apps;
  {
    std::lock_guard lock(status_mutex_);
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
      for (const auto& c : input.containers) {
        if (ReadIdentity(c).app != plan.app) continue;
        s.containers.push_back(c);
        if (c.state == "running") ++s.running_containers;
      }
      if (before && plan.problems.size() > 0 && plan.problems.back().rfind(kBackingOffNote, 0) == 0) {
        // Backing off: what went wrong last time is still the news.
        for (const auto& e : before->errors) {
          if (e.rfind(kBackingOffNote, 0) != 0) s.errors.push_back(e);
        }
      }
      s.errors.insert(s.errors.end(), plan.problems.begin(), plan.problems.end());
      apps.push_back(std::move(s));
    }
    status_.synced = true;
    if (!docker_version.empty()) status_.docker_version = docker_version;
    status_.apps = apps;
  }
  if (actions == 0) {
    std::lock_guard lock(status_mutex_);
    ++status_.passes;
    return next_repair_ ? PassResult::kBackingOff : PassResult::kConverged;
  }

  spdlog::info("reconcile: {} actions", actions);
  const auto outcomes = executor_.Execute(plans, stopping_);
  const auto acted_at = Now();
  for (const auto& plan : plans) {
    std::set<std::string> slots;
    for (const auto& step : plan.steps) {
      for (const auto& action : step) slots.insert(RepairSlot(action));
    }
    for (const auto& slot : slots) repair_backoff_.Acted(slot, plan.generation, acted_at);
  }
  bool failed = false;
  std::lock_guard lock(status_mutex_);
  ++status_.passes;
  for (auto& s : status_.apps) {
    auto it = outcomes.find(s.app);
    if (it == outcomes.end()) continue;
    failed = failed || !it->second.errors.empty();
    s.errors.insert(s.errors.end(), it->second.errors.begin(), it->second.errors.end());
  }
  return failed ? PassResult::kFailed : PassResult::kActed;
}

void Reconciler::Loop() {
  auto backoff = options_.min_backoff;
  int acting_in_a_row = 0;
  auto next = Clock::now();
  while (true) {
    {
      std::unique_lock lock(wake_mutex_);
      const auto deadline = recheck_at_ ? std::min(next, *recheck_at_) : next;
      wake_.wait_until(lock, deadline, [&] { return triggered_ || stopping_.load(); });
      if (stopping_) return;
      if (recheck_at_ && Clock::now() >= *recheck_at_) recheck_at_.reset();
      if (triggered_) backoff = options_.min_backoff;  // new desired state deserves a fresh try
      triggered_ = false;
    }

    PassResult result;
    try {
      result = RunPass();
    } catch (const std::exception& e) {
      spdlog::error("reconcile pass failed: {}", e.what());
      result = PassResult::kFailed;
    }

    if (result == PassResult::kActed && ++acting_in_a_row < kMaxActingPassesInARow) {
      next = Clock::now();  // verify what was done, right away
      continue;
    }
    if (result == PassResult::kBackingOff) {
      backoff = options_.min_backoff;
      next = std::min(next_repair_.value_or(Clock::now()), Clock::now() + options_.resync);
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
