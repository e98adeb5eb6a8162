// `apps patch` merging, cron-job flags and grant flags: pure parsing of the newer commands' flags.
#include <catch2/catch.hpp>

#include "common/error.h"
#include "spec_flags.h"

using namespace nebula::cli;
namespace v1 = nebula::v1;

TEST_CASE("Patch adds env keys and keeps the others") {
  v1::AppSpec current;
  (*current.mutable_env())["A"] = "1";
  (*current.mutable_env())["B"] = "2";
  SpecFlags flags;
  flags.env = std::vector<std::string>{"B=3", "C=4"};
  const auto change = MergeIntoCurrent(current, BuildSpecChange(flags));
  CHECK(change.update_mask == std::vector<std::string>{"spec.env"});
  CHECK(change.spec.env().size() == 3);
  CHECK(change.spec.env().at("A") == "1");
  CHECK(change.spec.env().at("B") == "3");
}

TEST_CASE("Patch replaces a matching port and appends new ones") {
  v1::AppSpec current;
  *current.add_ports() = ParsePort("8080:80");
  *current.add_ports() = ParsePort("5353:53/udp");
  SpecFlags flags;
  flags.ports = std::vector<std::string>{"8080:8080/tcp", "9090:90"};
  const auto change = MergeIntoCurrent(current, BuildSpecChange(flags));
  REQUIRE(change.spec.ports_size() == 3);
  CHECK(change.spec.ports(0).container_port() == 8080);
  CHECK(change.spec.ports(1).protocol() == v1::PROTOCOL_UDP);
  CHECK(change.spec.ports(2).host_port() == 9090);
}

TEST_CASE("Patch with --clear still empties and scalars are replaced") {
  v1::AppSpec current;
  (*current.mutable_env())["A"] = "1";
  current.set_image("old");
  SpecFlags flags;
  flags.clear = {"env"};
  flags.image = "new";
  const auto change = MergeIntoCurrent(current, BuildSpecChange(flags));
  CHECK(change.spec.env().empty());
  CHECK(change.spec.image() == "new");
}

TEST_CASE("Cron job flags map to CronJob fields and mask paths") {
  SpecFlags flags;
  flags.image = "busybox";
  flags.env = std::vector<std::string>{"A=1"};
  flags.running = false;
  const auto change = BuildCronJobChange(flags, std::string("*/5 * * * *"));
  CHECK(change.job.schedule() == "*/5 * * * *");
  CHECK(change.job.spec().image() == "busybox");
  CHECK(change.job.spec().env().at("A") == "1");
  REQUIRE(change.job.has_running());
  CHECK_FALSE(change.job.running());
  CHECK(change.update_mask == std::vector<std::string>{"schedule", "spec.image", "running", "spec.env"});
}

TEST_CASE("Cron job flags reject fields a cron job lacks and an empty schedule") {
  SpecFlags flags;
  flags.clear = {"ports"};
  CHECK_THROWS_WITH(BuildCronJobChange(flags, std::nullopt), Catch::Contains("--clear") && Catch::Contains("no ports"));
  CHECK_THROWS_WITH(BuildCronJobChange(SpecFlags{}, std::string()), Catch::Contains("--schedule"));
}

TEST_CASE("Grants parse PATTERN=ro|rw and name the flag otherwise") {
  CHECK(ParseGrant("--app", "web-*=rw") == std::pair<std::string, v1::Access>{"web-*", v1::ACCESS_RW});
  CHECK(ParseGrant("--app", "*=ro").second == v1::ACCESS_RO);
  CHECK_THROWS_WITH(ParseGrant("--cron-job", "x=admin"), Catch::StartsWith("--cron-job \"x=admin\""));
  CHECK_THROWS_WITH(ParseGrant("--app", "web"), Catch::Contains("expected PATTERN=ro|rw"));
}
