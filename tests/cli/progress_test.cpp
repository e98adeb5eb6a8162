// --wait's decisions and rendering: when a rollout is done, bars and plain lines.
#include <catch2/catch.hpp>

#include "progress.h"

using namespace nebula::cli;
namespace v1 = nebula::v1;

namespace {

v1::AppStatus Status(int64_t generation, int desired, int converged, int failed, v1::AppStatus::Rollout rollout) {
  v1::AppStatus s;
  s.set_app("web");
  s.set_generation(generation);
  s.set_hosts_desired(desired);
  s.set_hosts_observed(converged);
  s.set_hosts_converged(converged);
  s.set_hosts_failed(failed);
  s.set_rollout(rollout);
  return s;
}

}  // namespace

TEST_CASE("An older generation's outcome means keep waiting") {
  CHECK(Evaluate(Status(4, 2, 2, 0, v1::AppStatus::CONVERGED), 5) == RolloutState::kWaiting);
  CHECK(Evaluate(Status(4, 2, 0, 1, v1::AppStatus::FAILED), 5) == RolloutState::kWaiting);
}

TEST_CASE("The target generation converged, failed or is still progressing") {
  CHECK(Evaluate(Status(5, 2, 2, 0, v1::AppStatus::CONVERGED), 5) == RolloutState::kConverged);
  CHECK(Evaluate(Status(6, 2, 2, 0, v1::AppStatus::CONVERGED), 5) == RolloutState::kConverged);
  CHECK(Evaluate(Status(5, 2, 0, 1, v1::AppStatus::FAILED), 5) == RolloutState::kFailed);
  CHECK(Evaluate(Status(5, 2, 1, 0, v1::AppStatus::PROGRESSING), 5) == RolloutState::kWaiting);
}

TEST_CASE("The bar fills with converged hosts") {
  auto progressing = Status(7, 4, 1, 0, v1::AppStatus::PROGRESSING);
  progressing.set_hosts_observed(3);
  CHECK(ProgressBar(progressing, 8) == "[##------] 3 observed, 1/4 converged, 0 failed  web generation 7");
  CHECK(ProgressBar(Status(7, 0, 0, 0, v1::AppStatus::CONVERGED), 4) ==
        "[####] 0 observed, 0/0 converged, 0 failed  web generation 7");
}

// README.md and cli/README.md show these lines verbatim: observed, then converged/desired, then failed.
TEST_CASE("Plain lines carry the counters, observed before converged, and the state") {
  auto failed = Status(7, 3, 1, 1, v1::AppStatus::FAILED);
  failed.set_hosts_observed(2);
  CHECK(ProgressLine(failed) == "web generation 7: 2 observed, 1/3 converged, 1 failed (FAILED)");
  auto progressing = Status(7, 6, 3, 0, v1::AppStatus::PROGRESSING);
  progressing.set_hosts_observed(4);
  CHECK(ProgressLine(progressing) == "web generation 7: 4 observed, 3/6 converged, 0 failed (PROGRESSING)");
  CHECK(ProgressBar(progressing) ==
        "[###############---------------] 4 observed, 3/6 converged, 0 failed  web generation 7");
}

TEST_CASE("Failing hosts are listed with their errors") {
  auto s = Status(7, 2, 0, 1, v1::AppStatus::FAILED);
  auto* host = s.add_failing_hosts();
  host->set_worker_id("w1");
  host->set_hostname("box-1");
  host->add_errors("pull nope:1: not found");
  host->add_errors("retrying");
  CHECK(FailingHosts(s) == "  worker w1 (box-1): pull nope:1: not found; retrying\n");
}

TEST_CASE("Identical errors of a host are counted, not repeated") {
  auto s = Status(7, 1, 0, 1, v1::AppStatus::FAILED);
  auto* host = s.add_failing_hosts();
  host->set_worker_id("w1");
  for (int i = 0; i < 3; ++i)
    host->add_errors("container web-" + std::string(i == 1 ? "x" : "") + "privileged: denied");
  host->add_errors("container web-privileged: denied");
  // Order of first appearance; a single error carries no count.
  CHECK(FailingHosts(s) == "  worker w1: 3× container web-privileged: denied; container web-xprivileged: denied\n");
}

TEST_CASE("A long error is shortened with an ellipsis and a pointer to the full text") {
  const std::string runc =
      "failed to create shim task: OCI runtime create failed: runc create failed: unable to start "
      "container process: error during container init: error mounting \"/dev\" to rootfs";
  REQUIRE(runc.size() > kErrorDisplayChars);
  auto s = Status(7, 1, 0, 1, v1::AppStatus::FAILED);
  auto* host = s.add_failing_hosts();
  host->set_worker_id("w1");
  host->set_hostname("box-1");
  for (int i = 0; i < 3; ++i) host->add_errors(runc);
  const std::string shown = FailingHosts(s);
  CHECK(shown == "  worker w1 (box-1): 3× " + runc.substr(0, kErrorDisplayChars - 1) + "…\n" +
                     "  (errors shortened; the full text: nebula apps status web -o json)\n");
  const std::string first_line = shown.substr(0, shown.find('\n'));
  CHECK(first_line.size() < 140);
}

TEST_CASE("Shorten counts code points and never cuts one in half") {
  CHECK(Shorten("short", 10) == "short");
  CHECK(Shorten("exactly10!", 10) == "exactly10!");
  CHECK(Shorten("eleven chars", 10) == "eleven ch…");
  CHECK(Shorten("äöüäöüäöüäöü", 5) == "äöüä…");
  CHECK(Shorten("äöüäö", 5) == "äöüäö");
}
