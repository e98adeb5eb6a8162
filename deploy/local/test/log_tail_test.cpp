#include <catch2/catch.hpp>

#include "child_process.h"

using namespace nebula::devstack;

TEST_CASE("log tail shows only the latest run") {
  const std::string log =
      "old line\n=== nebula-devstack run 2026-01-01 00:00:00 ===\nfirst\n"
      "=== nebula-devstack run 2026-01-02 00:00:00 ===\nnew 1\nnew 2\n";
  CHECK(TailOfRun(log, 10) == "    new 1\n    new 2\n");
}

TEST_CASE("log tail keeps the last lines") {
  CHECK(TailOfRun("a\nb\nc\nd\n", 2) == "    c\n    d\n");
  CHECK(TailOfRun("a\nb", 5) == "    a\n    b\n");
}

TEST_CASE("an empty run says so") {
  CHECK(TailOfRun("=== nebula-devstack run x ===\n", 5) == "    (no output)\n");
  CHECK(TailOfRun("", 5) == "    (no output)\n");
}
