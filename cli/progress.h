// `--wait`: when a rollout is done, and how its progress looks. Pure.
#pragma once

#include <cstdint>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nebula/v1/worker.pb.h"

namespace nebula::cli {

enum class RolloutState { kWaiting, kConverged, kFailed };

// A status of an older generation than the one we wait for says nothing about ours: wait.
RolloutState Evaluate(const v1::AppStatus& status, int64_t target_generation);

// Both show hosts as "4 observed, 3/6 converged, 0 failed" (desired after the slash).
// "[##########----------] 4 observed, 3/6 converged, 0 failed  web generation 7" (terminal, redrawn with \r).
std::string ProgressBar(const v1::AppStatus& status, int width = 30);
// "web generation 7: 4 observed, 3/6 converged, 0 failed (PROGRESSING)" (one line per change).
std::string ProgressLine(const v1::AppStatus& status);
// One line per failing host: "  worker w1 (host1): 3× <error>; <other error>". Identical errors (one per
// container, e.g. runc refusing a privileged container) are counted, not repeated, and each is shortened
// to kErrorDisplayChars; when one was, a last line points to `-o json`, which has the full text.
std::string FailingHosts(const v1::AppStatus& status);
// "  worker w1 (host): generation 101, the API is at 7\n" per host ahead of the API (AppStatus.ahead_hosts).
std::string AheadHosts(const v1::AppStatus& status);

// About one terminal line of error, with room for the worker's name in front.
inline constexpr std::size_t kErrorDisplayChars = 100;

// text, or its first max_chars - 1 code points and "…" when it has more than max_chars.
std::string Shorten(std::string_view text, std::size_t max_chars);

struct CountedError {
  std::string text;
  int count = 0;
};
// Each distinct error once, in the order first seen, with how often it occurs.
std::vector<CountedError> CountIdentical(const google::protobuf::RepeatedPtrField<std::string>& errors);

}  // namespace nebula::cli
