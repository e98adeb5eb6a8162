// The dev stack outlives a crashed child (docs/local-stack.md "Crashed children"): the api-manager
// killed with SIGKILL is started again by nebula-devstack, serves again, and the supervisor's log names
// the crash and the restart; a second crash soon after waits twice as long. Its own binary, so its own
// stack: the outage must not disturb other tests.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/types.h>

#include <filesystem>
#include <string>

#include "stack_fixture.h"

using nebula::testing::Eventually;
using nebula::testing::ReadFile;
using nebula::testing::RunNebula;
using nebula::testing::SharedStack;
using namespace std::chrono_literals;

namespace {

// The stack's api-manager: nebula-api-manager listening on the stack's endpoint.
pid_t ApiManagerPid(const std::string& endpoint) {
  return nebula::testing::FindProcess({"nebula-api-manager ", "--listen " + endpoint + " "});
}

std::string SupervisorLog() { return ReadFile(SharedStack().state_dir + "/devstack.log"); }

// Kills the api-manager with SIGKILL and waits until a new one answers `apps list`.
void KillApiManagerAndAwaitRestart(const std::string& expected_notice) {
  const auto& stack = SharedStack();
  const pid_t before = ApiManagerPid(stack.endpoint);
  REQUIRE(before > 0);
  REQUIRE(::kill(before, SIGKILL) == 0);
  const bool back = Eventually(
      [&] {
        const pid_t now = ApiManagerPid(stack.endpoint);
        return now > 0 && now != before && RunNebula({"apps", "list"}).exit_code == 0;
      },
      90s, 500ms);
  INFO("supervisor log:\n" << nebula::testing::Tail(SupervisorLog(), 4000));
  REQUIRE(back);
  CHECK_THAT(SupervisorLog(), Catch::Contains(expected_notice));
}

}  // namespace

TEST_CASE("a crashed api-manager is restarted with backoff and serves again", "[e2e][devstack]") {
  const auto& stack = SharedStack();
  const auto created = RunNebula({"apps", "create", "restart-probe", "--image", stack.sample_image});
  INFO(created.out << created.err);
  REQUIRE(created.exit_code == 0);

  KillApiManagerAndAwaitRestart("api-manager was killed by signal 9 (Killed) after ");
  CHECK_THAT(SupervisorLog(), Catch::Contains("restarting it in 1 s") &&
                                  Catch::Contains("restarted api-manager (pid ") && Catch::Contains(", restart 1)"));
  // The state is in PostgreSQL: the restarted api-manager serves what was there before.
  CHECK(RunNebula({"apps", "get", "restart-probe"}).exit_code == 0);

  // Dead again well within a minute of its restart: a crash loop, so the wait doubles.
  KillApiManagerAndAwaitRestart("restarting it in 2 s");
  CHECK_THAT(SupervisorLog(), Catch::Contains(", restart 2)"));
  CHECK(std::filesystem::exists(stack.state_dir + "/stack.env"));  // the stack stayed up throughout
  CHECK(RunNebula({"apps", "delete", "restart-probe"}).exit_code == 0);
}
