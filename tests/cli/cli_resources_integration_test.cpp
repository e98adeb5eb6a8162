// The app verbs (start, stop, restart, pull, patch, history, rollback, status, delete --force),
// device groups, cron jobs and global prune through the built `nebula` against the real stack: -o
// json output, the resulting state, and that failed calls change nothing.
#include "cli_test_helpers.h"

using namespace nebula::cli_test;
using nebula::testing::SharedStack;

namespace {
// The global and device-group prunes below reach every agent of this binary's stack (also the one
// cli_commands_integration_test.cpp runs, whenever it starts): its prune removes every image no
// container uses, so the stack gets a dockerd of its own instead of the one other tests share.
[[maybe_unused]] const bool kOwnDockerd = nebula::testing::UsePrivateDockerd();
}  // namespace

TEST_CASE("app verbs: start, stop, restart, pull, patch, history, rollback, status, delete --force") {
  const std::string image = SharedStack().sample_image;
  const std::string name = "cli-verbs";
  const auto created = Ok(Cli({"apps", "create", name, "--image", image, "--env", "A=1", "-o", "json"}));
  const int64_t g1 = Gen(created);

  const auto stopped = Ok(Cli({"apps", "stop", name, "-o", "json"}));
  CHECK(Gen(stopped) == g1 + 1);
  CHECK(stopped["spec"]["running"] == false);
  const auto started = Ok(Cli({"apps", "start", name, "-o", "json"}));
  CHECK(started["spec"]["running"] == true);

  const auto restarted = Ok(Cli({"apps", "restart", name, "--rolling", "-o", "json"}));
  CHECK(Gen(restarted) == g1 + 3);
  CHECK(std::stoll(restarted["spec"]["restartNonce"].get<std::string>()) >= 1);
  Fails(Cli({"apps", "restart", name, "--rolling", "--all-at-once"}), 1, "usage; see --help");

  const auto pulled = Ok(Cli({"apps", "pull", name, "-o", "json"}));
  CHECK(std::stoll(pulled["spec"]["pullNonce"].get<std::string>()) >= 1);

  const auto patched = Ok(Cli({"apps", "patch", name, "--env", "B=2", "-o", "json"}));
  CHECK(patched["spec"]["env"] == json({{"A", "1"}, {"B", "2"}}));
  const auto updated = Ok(Cli({"apps", "update", name, "--env", "C=3", "-o", "json"}));
  CHECK(updated["spec"]["env"] == json({{"C", "3"}}));
  const int64_t last = Gen(updated);

  const auto history = Ok(Cli({"apps", "history", name, "-o", "json"}));
  REQUIRE(history["revisions"].size() >= 7);
  CHECK_THAT(OkText(Cli({"apps", "history", name})), Catch::Contains("GENERATION"));

  const auto rolled = Ok(Cli({"apps", "rollback", name, "--to-generation", std::to_string(g1), "-o", "json"}));
  CHECK(Gen(rolled) == last + 1);
  CHECK(rolled["spec"]["env"] == json({{"A", "1"}}));
  CHECK(GetApp(name)["spec"]["env"] == json({{"A", "1"}}));
  Fails(Cli({"apps", "rollback", name, "--to-generation", "999"}), 2, "NOT_FOUND");

  const auto status = Ok(Cli({"apps", "status", name, "-o", "json"}));
  CHECK(status["app"] == name);
  CHECK(Gen(status) == last + 1);

  // A stale --expected-generation changes nothing.
  Fails(Cli({"apps", "stop", name, "--expected-generation", "1"}), 3, "ABORTED");
  Fails(Cli({"apps", "patch", name, "--env", "X=1", "--expected-generation", "1"}), 3, "ABORTED");
  CHECK(Gen(GetApp(name)) == last + 1);

  // Every change is in the audit trail, newest first.
  const auto audit = Ok(Cli({"audit", "list", "--kind", "app", "--name", name, "-o", "json"}));
  REQUIRE(audit["events"].size() >= 8);
  CHECK(audit["events"][0]["objectName"] == name);
  CHECK(Gen(audit["events"][0]) == last + 1);
  Fails(Cli({"audit", "list", "--kind", "pod"}), 4, "INVALID_ARGUMENT");

  const auto deleted = Ok(Cli({"apps", "delete", name, "--force", "-o", "json"}));
  CHECK(Gen(deleted) == last + 2);
  Fails(Cli({"apps", "get", name}), 2, "NOT_FOUND");
}

TEST_CASE("device groups and cron jobs: CRUD, add and remove, apply") {
  const std::string image = SharedStack().sample_image;
  Ok(Cli({"apps", "create", "cli-dg-app", "--image", image, "-o", "json"}));
  const auto job = Ok(Cli({"cron-jobs", "create", "cli-cron", "--schedule", "*/5 * * * *", "--image", image,
                           "--command", "/bin/sh", "--arg=-c", "--arg", "true", "-o", "json"}));
  CHECK(job["schedule"] == "*/5 * * * *");
  CHECK(job["spec"]["command"] == json({"/bin/sh"}));
  const auto job2 = Ok(Cli({"cron-jobs", "update", "cli-cron", "--stopped", "-o", "json"}));
  CHECK(job2["running"] == false);
  CHECK(Gen(job2) == Gen(job) + 1);
  CHECK(Ok(Cli({"cron-jobs", "list", "-o", "json"}))["cronJobs"].size() >= 1);
  Fails(Cli({"cron-jobs", "create", "cli-cron2", "--schedule", "61 * * * *", "--image", image}), 4, "INVALID_ARGUMENT");
  Fails(Cli({"cron-jobs", "get", "cli-cron2"}), 2, "NOT_FOUND");

  const auto group = Ok(Cli({"device-groups", "create", "cli-edge", "--app", "cli-dg-app", "-o", "json"}));
  CHECK(group["apps"] == json({"cli-dg-app"}));
  const auto added = Ok(Cli({"device-groups", "add-cron-job", "cli-edge", "cli-cron", "-o", "json"}));
  CHECK(added["cronJobs"] == json({"cli-cron"}));
  const auto removed = Ok(Cli({"device-groups", "remove-app", "cli-edge", "cli-dg-app", "-o", "json"}));
  CHECK_FALSE(removed.contains("apps"));
  const auto readded = Ok(Cli({"device-groups", "add-app", "cli-edge", "cli-dg-app", "-o", "json"}));
  CHECK(readded["apps"] == json({"cli-dg-app"}));
  const auto replaced = Ok(Cli({"device-groups", "update", "cli-edge", "--app", "cli-dg-app", "--cron-job", "cli-cron",
                                "--expected-generation", std::to_string(Gen(readded)), "-o", "json"}));
  CHECK(Gen(replaced) == Gen(readded) + 1);
  Fails(Cli({"device-groups", "update", "cli-edge", "--app", "x", "--expected-generation", "1"}), 3, "ABORTED");
  Fails(Cli({"device-groups", "update", "cli-edge"}), 1, "usage; see --help");
  CHECK(Ok(Cli({"cron-jobs", "get", "cli-cron", "-o", "json"}))["schedule"] == "*/5 * * * *");
  const auto pruned = Ok(Cli({"device-groups", "prune", "cli-edge", "-o", "json"}));
  CHECK(std::stoll(pruned["pruneGeneration"].get<std::string>()) >= 1);
  CHECK(Ok(Cli({"device-groups", "get", "cli-edge", "-o", "json"}))["name"] == "cli-edge");
  CHECK(Ok(Cli({"device-groups", "list", "-o", "json"}))["deviceGroups"].size() >= 1);

  // The group as a file: unchanged, then a change, through apply.
  const std::string same = "kind: DeviceGroup\nname: cli-edge\nspec: {apps: [cli-dg-app], cronJobs: [cli-cron]}\n";
  const auto unchanged = Ok(Cli({"apply", "-f", WriteFile("dg.yaml", same), "-o", "json"}));
  CHECK(unchanged["results"][0]["action"] == "unchanged");
  const std::string cron = "kind: CronJob\nname: cli-cron\nspec: {schedule: '*/5 * * * *', running: false, image: \"" +
                           image + "\", command: [/bin/sh], args: [-c, 'true']}\n";
  const auto cron_same = Ok(Cli({"apply", "-f", WriteFile("cron.yaml", cron), "-o", "json"}));
  CHECK(cron_same["results"][0]["action"] == "unchanged");

  const auto global = Ok(Cli({"prune", "-o", "json"}));
  CHECK(std::stoll(global["pruneGeneration"].get<std::string>()) >= 1);

  Ok(Cli({"device-groups", "delete", "cli-edge", "-o", "json"}));
  Fails(Cli({"device-groups", "get", "cli-edge"}), 2, "NOT_FOUND");
  Ok(Cli({"cron-jobs", "delete", "cli-cron", "-o", "json"}));
  Fails(Cli({"cron-jobs", "get", "cli-cron"}), 2, "NOT_FOUND");
}
