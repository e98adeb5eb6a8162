#include "progress.h"

#include <algorithm>
#include <string_view>

namespace nebula::cli {

RolloutState Evaluate(const v1::AppStatus& status, int64_t target_generation) {
  if (status.generation() < target_generation) return RolloutState::kWaiting;
  switch (status.rollout()) {
    case v1::AppStatus::CONVERGED: return RolloutState::kConverged;
    case v1::AppStatus::FAILED: return RolloutState::kFailed;
    default: return RolloutState::kWaiting;
  }
}

namespace {

// Observed before converged: a host first sees the generation, then converges on it (or fails).
std::string Counts(const v1::AppStatus& status) {
  return std::to_string(status.hosts_observed()) + " observed, " + std::to_string(status.hosts_converged()) + "/" +
         std::to_string(status.hosts_desired()) + " converged, " + std::to_string(status.hosts_failed()) + " failed";
}

}  // namespace

std::string ProgressBar(const v1::AppStatus& status, int width) {
  const int desired = status.hosts_desired();
  const int done = desired == 0 ? width : std::clamp(status.hosts_converged() * width / desired, 0, width);
  return "[" + std::string(static_cast<size_t>(done), '#') + std::string(static_cast<size_t>(width - done), '-') +
         "] " + Counts(status) + "  " + status.app() + " generation " + std::to_string(status.generation());
}

std::string ProgressLine(const v1::AppStatus& status) {
  return status.app() + " generation " + std::to_string(status.generation()) + ": " + Counts(status) + " (" +
         v1::AppStatus::Rollout_Name(status.rollout()) + ")";
}

std::string Shorten(std::string_view text, std::size_t max_chars) {
  // Counted in code points and cut only before a code point's first byte: errors quote paths and
  // image names, which may be UTF-8.
  const auto starts_code_point = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; };
  const auto code_points = std::count_if(text.begin(), text.end(), starts_code_point);
  if (static_cast<std::size_t>(code_points) <= max_chars) return std::string(text);
  std::size_t cut = 0;
  for (std::size_t kept = 0; cut < text.size(); ++cut) {
    if (starts_code_point(text[cut]) && kept++ == max_chars - 1) break;
  }
  return std::string(text.substr(0, cut)) + "\u2026";
}

std::vector<CountedError> CountIdentical(const google::protobuf::RepeatedPtrField<std::string>& errors) {
  std::vector<CountedError> counted;
  for (const std::string& error : errors) {
    auto same = std::find_if(counted.begin(), counted.end(), [&](const CountedError& c) { return c.text == error; });
    if (same == counted.end()) {
      counted.push_back({error, 1});
    } else {
      ++same->count;
    }
  }
  return counted;
}

namespace {

// "  worker w1 (edge-1)": the hostname only where it says more than the id.
std::string HostLabel(const std::string& worker_id, const std::string& hostname) {
  std::string label = "  worker " + worker_id;
  if (!hostname.empty() && hostname != worker_id) label += " (" + hostname + ")";
  return label;
}

}  // namespace

std::string FailingHosts(const v1::AppStatus& status) {
  std::string out;
  bool shortened = false;
  for (const auto& host : status.failing_hosts()) {
    out += HostLabel(host.worker_id(), host.hostname()) + ":";
    const auto errors = CountIdentical(host.errors());
    for (std::size_t i = 0; i < errors.size(); ++i) {
      const std::string text = Shorten(errors[i].text, kErrorDisplayChars);
      shortened = shortened || text != errors[i].text;
      out += (i ? "; " : " ") + (errors[i].count > 1 ? std::to_string(errors[i].count) + "\u00d7 " : "") + text;
    }
    out += "\n";
  }
  if (shortened) out += "  (errors shortened; the full text: nebula apps status " + status.app() + " -o json)\n";
  return out;
}

std::string AheadHosts(const v1::AppStatus& status) {
  std::string out;
  for (const auto& host : status.ahead_hosts()) {
    out += HostLabel(host.worker_id(), host.hostname()) + ": runs generation " + std::to_string(host.generation()) +
           ", the API is at " + std::to_string(status.generation()) + "\n";
  }
  return out;
}

}  // namespace nebula::cli
