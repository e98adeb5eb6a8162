// How `nebula apps status` names hosts that run a generation the API never issued.
#include <catch2/catch.hpp>

#include "progress.h"

namespace v1 = nebula::v1;

TEST_CASE("Hosts ahead of the API are named with their generation and the API's") {
  v1::AppStatus status;
  status.set_app("web");
  status.set_generation(7);
  auto* a = status.add_ahead_hosts();
  a->set_worker_id("w1");
  a->set_hostname("edge-1");
  a->set_generation(101);
  auto* b = status.add_ahead_hosts();
  b->set_worker_id("w2");
  b->set_hostname("w2");
  b->set_generation(8);
  CHECK(nebula::cli::AheadHosts(status) ==
        "  worker w1 (edge-1): runs generation 101, the API is at 7\n"
        "  worker w2: runs generation 8, the API is at 7\n");
  CHECK(nebula::cli::AheadHosts(v1::AppStatus()).empty());
}
