// The crash-restart backoff of the supervisor's children (docs/local-stack.md "Crashed children").
#include <catch2/catch.hpp>

#include "restart_policy.h"

using namespace nebula::devstack;
using namespace std::chrono_literals;

TEST_CASE("the first crash is restarted after a second") {
  CHECK(RestartDelay(RestartPolicy{}, 0ms, 5s) == 1s);
  CHECK(RestartDelay(RestartPolicy{}, 0ms, 0ms) == 1s);
}

TEST_CASE("a child that keeps dying young waits twice as long each time, up to 30 s") {
  const RestartPolicy policy;
  std::chrono::milliseconds delay = 0ms;
  std::vector<long long> seconds;
  for (int crash = 0; crash < 8; ++crash) {
    delay = RestartDelay(policy, delay, 2s);
    seconds.push_back(std::chrono::duration_cast<std::chrono::seconds>(delay).count());
  }
  CHECK(seconds == std::vector<long long>{1, 2, 4, 8, 16, 30, 30, 30});
}

TEST_CASE("a run of a minute or more resets the backoff") {
  const RestartPolicy policy;
  CHECK(RestartDelay(policy, 30s, 59s) == 30s);
  CHECK(RestartDelay(policy, 16s, 59s) == 30s);
  CHECK(RestartDelay(policy, 30s, 60s) == 1s);
  CHECK(RestartDelay(policy, 8s, 10min) == 1s);
}

TEST_CASE("the policy's numbers are its own") {
  const RestartPolicy quick{100ms, 350ms, 1s};
  CHECK(RestartDelay(quick, 0ms, 0ms) == 100ms);
  CHECK(RestartDelay(quick, 100ms, 10ms) == 200ms);
  CHECK(RestartDelay(quick, 200ms, 10ms) == 350ms);
  CHECK(RestartDelay(quick, 350ms, 1s) == 100ms);
}
