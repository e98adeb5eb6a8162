// The pure rules of StartApp, StopApp, RestartApp, PullApp, RollbackApp and ListAppRevisions.
#include <catch2/catch.hpp>

#include <functional>

#include "api-manager/rules/app_requests.h"
#include "api-manager/rules/page_token.h"

namespace am = nebula::api_manager;
using nebula::ErrorCode;

namespace {

nebula::v1::AppSpec Spec() {
  nebula::v1::AppSpec spec;
  spec.set_image("nginx:1.25");
  return spec;
}

ErrorCode CodeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const nebula::Error& e) {
    return e.code();
  }
  FAIL("no error thrown");
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("verb requests need a valid name and a non-negative expected_generation") {
  CHECK_NOTHROW(am::CheckAppVerbRequest("web", 0));
  CHECK_NOTHROW(am::CheckAppVerbRequest("web", 7));
  try {
    am::CheckAppVerbRequest("Bad_Name", -1);
    FAIL("accepted");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    REQUIRE(e.violations().size() == 2);
    CHECK(e.violations()[0].field == "name");
    CHECK(e.violations()[1].field == "expected_generation");
  }
}

TEST_CASE("start and stop set running explicitly") {
  CHECK(am::SpecWithRunning(Spec(), true).running());
  CHECK(am::SpecWithRunning(Spec(), true).has_running());
  CHECK_FALSE(am::SpecWithRunning(Spec(), false).running());
  CHECK(am::SpecWithRunning(Spec(), false).image() == "nginx:1.25");
}

TEST_CASE("restart bumps restart_nonce and sets rolling only when asked") {
  auto spec = Spec();
  spec.set_restart_nonce(4);
  spec.mutable_update_strategy()->set_max_unavailable(3);
  auto kept = am::SpecRestarted(spec, std::nullopt);
  CHECK(kept.restart_nonce() == 5);
  CHECK_FALSE(kept.update_strategy().rolling());
  CHECK(kept.update_strategy().max_unavailable() == 3);
  auto rolling = am::SpecRestarted(spec, true);
  CHECK(rolling.update_strategy().rolling());
  CHECK(rolling.update_strategy().max_unavailable() == 3);
  auto all_at_once = am::SpecRestarted(rolling, false);
  CHECK(all_at_once.restart_nonce() == 6);
  CHECK_FALSE(all_at_once.update_strategy().rolling());
  // rolling=false on an app without a strategy normalizes to no strategy at all (same meaning)
  CHECK_FALSE(am::SpecRestarted(Spec(), false).has_update_strategy());
  CHECK(am::SpecRestarted(Spec(), std::nullopt).pull_nonce() == 0);
}

TEST_CASE("pull bumps pull_nonce only") {
  auto spec = Spec();
  spec.set_pull_nonce(9);
  spec.set_restart_nonce(2);
  auto pulled = am::SpecPulled(spec);
  CHECK(pulled.pull_nonce() == 10);
  CHECK(pulled.restart_nonce() == 2);
}

TEST_CASE("rollback restores a live revision and refuses missing or deleted ones") {
  am::Revision live{3, "UpdateApp", "alice", 0, Spec(), false, 0};
  CHECK(am::SpecForRollback("web", 3, live).image() == "nginx:1.25");
  CHECK(CodeOf([] { am::SpecForRollback("web", 9, std::nullopt); }) == ErrorCode::kNotFound);
  am::Revision deletion{4, "DeleteApp", "alice", 0, Spec(), true, 0};
  CHECK(CodeOf([&] { am::SpecForRollback("web", 4, deletion); }) == ErrorCode::kFailedPrecondition);
}

TEST_CASE("rollback requests need a positive generation") {
  nebula::v1::RollbackAppRequest request;
  request.set_name("web");
  CHECK(CodeOf([&] { am::CheckRollbackRequest(request); }) == ErrorCode::kInvalidArgument);
  request.set_generation(-2);
  CHECK(CodeOf([&] { am::CheckRollbackRequest(request); }) == ErrorCode::kInvalidArgument);
  request.set_generation(2);
  CHECK_NOTHROW(am::CheckRollbackRequest(request));
  request.set_expected_generation(-1);
  CHECK(CodeOf([&] { am::CheckRollbackRequest(request); }) == ErrorCode::kInvalidArgument);
}

TEST_CASE("revisions map to AppRevision with no spec for a deletion") {
  am::Revision rollback{5, "RollbackApp", "bob", 1700000000123456, Spec(), false, 2};
  auto out = am::RevisionToProto("web", rollback);
  CHECK(out.name() == "web");
  CHECK(out.generation() == 5);
  CHECK(out.action() == "RollbackApp");
  CHECK(out.actor() == "bob");
  CHECK(out.time().seconds() == 1700000000);
  CHECK(out.time().nanos() == 123456000);
  CHECK(out.spec().image() == "nginx:1.25");
  CHECK(out.rolled_back_to() == 2);
  am::Revision deletion{6, "DeleteApp", "bob", 0, Spec(), true, 0};
  auto deleted = am::RevisionToProto("web", deletion);
  CHECK(deleted.deleted());
  CHECK_FALSE(deleted.has_spec());
}

TEST_CASE("number page tokens round-trip and refuse foreign tokens") {
  CHECK(am::DecodeNumberPageToken("", "ListAppRevisions") == 0);
  CHECK(am::DecodeNumberPageToken(am::EncodeNumberPageToken(42), "ListAppRevisions") == 42);
  CHECK(CodeOf([] { am::DecodeNumberPageToken(am::EncodeNumberPageToken(0), "ListAppRevisions"); }) ==
        ErrorCode::kInvalidArgument);
  CHECK(CodeOf([] { am::DecodeNumberPageToken("garbage!", "ListAuditEvents"); }) == ErrorCode::kInvalidArgument);
  CHECK(CodeOf([] { am::DecodeNumberPageToken(am::EncodePageToken("web"), "ListAuditEvents"); }) ==
        ErrorCode::kInvalidArgument);
}

TEST_CASE("ABORTED names the object kind and both generations") {
  try {
    am::CheckExpectedGeneration("edge", 3, 5, "device group");
    FAIL("accepted");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == ErrorCode::kAborted);
    CHECK_THAT(e.what(), Catch::StartsWith("device group") && Catch::Contains("5") && Catch::Contains("3"));
  }
  CHECK_NOTHROW(am::CheckExpectedGeneration("edge", 0, 5));
  CHECK_NOTHROW(am::CheckExpectedGeneration("edge", 5, 5));
}
