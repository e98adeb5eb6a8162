#include "worker-agent/agent/action_executor.h"

#include <spdlog/spdlog.h>

#include <atomic>
#include <future>
#include <mutex>
#include <random>
#include <semaphore>
#include <thread>

#include "common/error.h"

namespace nebula::agent {

namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One Docker call in flight.
class Slot {
 public:
  explicit Slot(std::counting_semaphore<>& slots) : slots_(slots) { slots_.acquire(); }
  ~Slot() { slots_.release(); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  std::counting_semaphore<>& slots_;
};

// Several apps may need the same image in one pass; it is pulled once and they share the result.
class SharedPulls {
 public:
  // Returns the error message, or "" on success.
  std::string Pull(const std::string& image, const std::function<void()>& pull) {
    std::promise<std::string> promise;
    std::shared_future<std::string> result;
    bool mine = false;
    {
      std::lock_guard lock(mutex_);
      auto it = pulls_.find(image);
      if (it == pulls_.end()) {
        result = promise.get_future().share();
        pulls_.emplace(image, result);
        mine = true;
      } else {
        result = it->second;
      }
    }
    if (mine) {
      try {
        pull();
        promise.set_value("");
      } catch (const std::exception& e) {
        promise.set_value(e.what());
      }
    }
    return result.get();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_future<std::string>> pulls_;
};

}  // namespace

std::string NewContainerName(const std::string& app, int32_t index) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pick(0, sizeof(kAlphabet) - 2);
  std::string suffix;
  for (int i = 0; i < 5; ++i) suffix.push_back(kAlphabet[pick(random)]);
  return app + "-" + std::to_string(index) + "-" + suffix;
}

void ActionExecutor::Remove(const Action& action) {
  try {
    docker_.StopContainer(action.container_id, options_.stop_timeout);
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kNotFound) return;  // already gone: that was the goal
    spdlog::warn("{}: stop failed ({}); removing by force", Describe(action), e.what());
  }
  try {
    docker_.RemoveContainer(action.container_id);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kNotFound) throw;
  }
}

void ActionExecutor::Create(const Action& action) {
  std::string name = NewContainerName(action.app, action.index);
  std::string id;
  try {
    id = docker_.CreateContainer(action.spec, name);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kAlreadyExists) throw;
    name = NewContainerName(action.app, action.index);  // a random suffix collided; once more
    id = docker_.CreateContainer(action.spec, name);
  }
  spdlog::info("created {}[{}] {} ({}, hash {})", action.app, action.index, name, id.substr(0, 12),
               action.spec.config_hash.substr(0, 12));
  // A failed start leaves the container "created"; the next pass starts it again.
  docker_.StartContainer(id);
}

void ActionExecutor::Run(const Action& action) {
  switch (action.kind) {
    case ActionKind::kPullImage: docker_.PullImage(action.image); break;
    case ActionKind::kRemoveContainer: Remove(action); break;
    case ActionKind::kStartContainer: docker_.StartContainer(action.container_id); break;
    case ActionKind::kCreateContainer: Create(action); break;
    case ActionKind::kRestartContainer: docker_.RestartContainer(action.container_id, options_.stop_timeout); break;
  }
}

std::map<std::string, AppOutcome> ActionExecutor::Execute(const std::vector<AppPlan>& plans, std::stop_token stop) {
  std::counting_semaphore<> slots(options_.parallelism);
  SharedPulls pulls;
  std::mutex mutex;
  std::map<std::string, AppOutcome> outcomes;

  auto run_app = [&](const AppPlan& plan) {
    AppOutcome outcome;
    for (const auto& step : plan.steps) {
      if (stop.stop_requested()) break;
      std::vector<std::string> errors(step.size());
      std::atomic<size_t> next{0};
      auto worker = [&] {
        for (size_t i = next++; i < step.size(); i = next++) {
          const Action& action = step[i];
          const auto started = Clock::now();
          spdlog::info("{}", Describe(action));
          if (action.kind == ActionKind::kPullImage) {
            errors[i] = pulls.Pull(action.image, [&] {
              Slot slot(slots);
              Run(action);
            });
          } else {
            Slot slot(slots);
            try {
              Run(action);
            } catch (const std::exception& e) {
              errors[i] = e.what();
            }
          }
          if (errors[i].empty()) {
            spdlog::info("done in {:.2f}s: {}", SecondsSince(started), Describe(action));
          } else {
            spdlog::warn("failed: {}: {}", Describe(action), errors[i]);
          }
        }
      };
      const size_t workers = std::min<size_t>(step.size(), static_cast<size_t>(options_.parallelism));
      std::vector<std::thread> threads;
      for (size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
      worker();
      for (auto& t : threads) t.join();

      bool failed = false;
      for (size_t i = 0; i < step.size(); ++i) {
        if (errors[i].empty()) {
          ++outcome.actions_done;
        } else {
          failed = true;
          outcome.errors.push_back(errors[i]);
        }
      }
      if (failed) break;  // later steps assume this one happened
    }
    std::lock_guard lock(mutex);
    outcomes[plan.app] = std::move(outcome);
  };

  std::vector<std::thread> apps;
  for (const auto& plan : plans) {
    if (!plan.steps.empty()) apps.emplace_back(run_app, std::cref(plan));
  }
  for (auto& t : apps) t.join();
  return outcomes;
}

}  // namespace nebula::agent
