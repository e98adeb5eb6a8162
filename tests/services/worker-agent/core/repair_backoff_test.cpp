#include <catch2/catch.hpp>

#include "worker-agent/core/repair_backoff.h"

using namespace nebula::agent;
using namespace std::chrono_literals;

TEST_CASE("repair backoff: at once first, then doubling steps up to the cap", "[unit][repair_backoff]") {
  RepairBackoff backoff({1s, 4s, 10s});
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(backoff.NextAllowed("web", 1, t0) == t0);
  backoff.Acted("web", 1, t0);
  CHECK(backoff.NextAllowed("web", 1, t0) == t0 + 1s);
  backoff.Acted("web", 1, t0 + 1s);
  CHECK(backoff.NextAllowed("web", 1, t0 + 1s) == t0 + 3s);
  backoff.Acted("web", 1, t0 + 3s);
  CHECK(backoff.NextAllowed("web", 1, t0 + 3s) == t0 + 7s);
  backoff.Acted("web", 1, t0 + 7s);
  CHECK(backoff.NextAllowed("web", 1, t0 + 7s) == t0 + 11s);  // capped at 4 s
  CHECK(backoff.NextAllowed("api", 1, t0 + 7s) == t0 + 7s);   // other apps are not affected
}

TEST_CASE("repair backoff: a quiet period or a new generation starts over", "[unit][repair_backoff]") {
  RepairBackoff backoff({1s, 60s, 10s});
  const auto t0 = std::chrono::steady_clock::now();
  backoff.Acted("web", 1, t0);
  backoff.Acted("web", 1, t0 + 1s);
  CHECK(backoff.NextAllowed("web", 2, t0 + 1s) == t0 + 1s);    // new generation: at once
  CHECK(backoff.NextAllowed("web", 1, t0 + 11s) == t0 + 11s);  // stable for 10 s: at once
  backoff.Acted("web", 1, t0 + 11s);
  CHECK(backoff.NextAllowed("web", 1, t0 + 11s) == t0 + 12s);  // and the steps start at 1 s again
  backoff.Forget("web");
  CHECK(backoff.NextAllowed("web", 1, t0 + 11s) == t0 + 11s);
}
