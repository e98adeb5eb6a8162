#include "wait.h"

#include <unistd.h>

#include <iostream>
#include <thread>

#include "exit_codes.h"
#include "progress.h"

namespace nebula::cli {

int WaitForRollout(sdk::Client& client, const std::string& app, int64_t generation,
                   std::chrono::steady_clock::time_point deadline) {
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  std::string last_line;
  v1::AppStatus last;
  RolloutState state = RolloutState::kWaiting;
  auto show = [&](const v1::AppStatus& status) {
    last = status;
    state = Evaluate(status, generation);
    const std::string line = terminal ? ProgressBar(status) : ProgressLine(status);
    if (line != last_line) {
      std::cerr << (terminal ? "\r" + line + "\033[K" : line + "\n") << std::flush;
      last_line = line;
    }
    return state == RolloutState::kWaiting;
  };
  // The server ends a watch when a rollout finishes; a finished older generation, a dropped stream
  // or an api-manager restart just means: watch again, until the deadline.
  while (state == RolloutState::kWaiting) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    try {
      client.WatchAppStatus(app, show, left);
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kDeadlineExceeded) break;
      if (e.code() != ErrorCode::kUnavailable) throw;
    }
    if (state == RolloutState::kWaiting)
      std::this_thread::sleep_for(
          std::min(std::chrono::milliseconds(500), std::max(left, std::chrono::milliseconds(0))));
  }
  if (terminal && !last_line.empty()) std::cerr << '\n';
  switch (state) {
    case RolloutState::kConverged: return kExitOk;
    case RolloutState::kFailed: {
      std::string hosts = FailingHosts(last);
      for (auto& c : hosts)
        if (c == '\n') c = ';';
      std::cerr << "error: rollout of app \"" << app << "\" generation " << generation << " failed on "
                << last.hosts_failed() << "/" << last.hosts_desired() << " hosts:" << hosts << " (ROLLOUT_FAILED)\n";
      return kExitRolloutFailed;
    }
    case RolloutState::kWaiting: break;
  }
  std::string ahead = AheadHosts(last);
  for (auto& c : ahead)
    if (c == '\n') c = ';';
  std::cerr << "error: app \"" << app << "\" generation " << generation << " did not converge before --timeout: "
            << (last.app().empty() ? "no status received" : ProgressLine(last))
            << (ahead.empty() ? "" : "; hosts ahead of the API:" + ahead) << " (WAIT_TIMEOUT)\n";
  return kExitWaitTimeout;
}

}  // namespace nebula::cli
