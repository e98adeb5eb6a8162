#include <catch2/catch.hpp>

#include "worker-agent/docker/image_ref.h"

using nebula::agent::ParseImageRef;

TEST_CASE("image references split into repository and pull tag", "[unit][docker]") {
  struct Case {
    const char* ref;
    const char* repository;
    const char* pull_tag;
  };
  const Case cases[] = {
      {"busybox", "busybox", "latest"},
      {"busybox:1.36", "busybox", "1.36"},
      {"nebtest/busybox:1", "nebtest/busybox", "1"},
      {"localhost:5000/app", "localhost:5000/app", "latest"},
      {"localhost:5000/team/app:v2", "localhost:5000/team/app", "v2"},
      {"app@sha256:abc", "app", "sha256:abc"},
      {"reg:443/app:1@sha256:abc", "reg:443/app", "sha256:abc"},
  };
  for (const auto& c : cases) {
    INFO(c.ref);
    const auto ref = ParseImageRef(c.ref);
    CHECK(ref.repository == c.repository);
    CHECK(ref.PullTag() == c.pull_tag);
  }
}
