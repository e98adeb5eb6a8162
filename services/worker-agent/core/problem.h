// What keeps an app from converging, by kind, so that code decides on the kind and only reports and
// GetStatus read the text (which they print as it is).
#pragma once

#include <string>

namespace nebula::agent {

enum class ProblemKind {
  kTooManyContainers,     // the count was capped at kMaxContainersPerApp
  kUnrunnableSpec,        // dockerd would refuse the spec (no image, a host port above 65535)
  kRollingUpdateStopped,  // a new container of a rolling update exited or is unhealthy
  kRepairBackingOff,      // repairs came too soon after each other (crash loop): the next one waits
  kPullRefreshFailed,     // a pull refresh failed; the containers keep their image until a retry
  kDockerUnreachable,     // dockerd did not answer the pass's listing
  kActionFailed,          // an action of the pass failed (dockerd's message)
};

struct Problem {
  ProblemKind kind;
  std::string text;

  bool operator==(const Problem&) const = default;
};

}  // namespace nebula::agent
