// Every newer `nebula` command against the real stack (nebula-devstack: PostgreSQL, Kafka,
// api-manager; a real worker agent on the test dockerd for --wait): -o json output, the resulting
// state, apply idempotency, --wait exit codes, and that bad input changes nothing.
#include "cli_test_helpers.h"

using nebula::testing::BackgroundProcess;
using namespace nebula::cli_test;
using nebula::testing::Eventually;
using nebula::testing::Run;
using nebula::testing::SharedStack;
using nebula::testing::TestPort;
using namespace std::chrono_literals;

namespace nebula::cli_test {
const nebula::testing::StackInfo& Stack() { return SharedStack(); }
}  // namespace nebula::cli_test

namespace {

// This agent follows the stack's global prune generation, which cli_resources_integration_test.cpp
// bumps: on a dockerd of this binary's own (see there).
[[maybe_unused]] const bool kOwnDockerd = nebula::testing::UsePrivateDockerd();

std::string WorkerId() { return "cli-it-" + std::to_string(getpid()); }

std::unique_ptr<BackgroundProcess> StartAgent(const std::string& apps, int port) {
  const auto& stack = SharedStack();
  return std::make_unique<BackgroundProcess>(
      std::vector<std::string>{stack.bin_dir + "/nebula-worker-agent", "--apps", apps, "--worker-id", WorkerId(),
                               "--kafka-brokers", stack.kafka_brokers, "--docker-host", stack.docker_host, "--listen",
                               "127.0.0.1:" + std::to_string(port), "--default-host-ip", "127.0.0.1",
                               "--resync-seconds", "5"},
      std::map<std::string, std::string>{}, stack.state_dir + "/cli-agent.log");
}

void RemoveAgentContainers() {
  const auto ids =
      Run({"docker", "ps", "-aq", "--filter", "label=dev.nebula.worker=" + WorkerId()}, SharedStack().Env());
  std::istringstream lines(ids.out);
  for (std::string id; std::getline(lines, id);)
    if (!id.empty()) Run({"docker", "rm", "-f", id}, SharedStack().Env());
}

}  // namespace

TEST_CASE("apply creates, prints the diff, and a second apply makes no new generation") {
  const std::string image = SharedStack().sample_image;
  const std::string v1 = "kind: App\nname: cli-apply\nspec:\n  image: \"" + image +
                         "\"\n  containersPer: {instance: 2}\n  ports:\n    - {hostPort: 18300, containerPort: 80}\n"
                         "  env: {MODE: prod}\n";
  const std::string file = WriteFile("apply-v1.yaml", v1);

  const auto dry = Cli({"apply", "-f", file, "--dry-run"});
  CHECK_THAT(OkText(dry), Catch::Contains("App \"cli-apply\": would be created") && Catch::Contains("+ spec.image"));
  Fails(Cli({"apps", "get", "cli-apply"}), 2, "NOT_FOUND");  // dry run changed nothing

  CHECK_THAT(OkText(Cli({"apply", "-f", file})), Catch::Contains("App \"cli-apply\": created"));
  const int64_t g1 = Gen(GetApp("cli-apply"));
  CHECK(GetApp("cli-apply")["spec"]["env"] == json({{"MODE", "prod"}}));

  const auto again = Ok(Cli({"apply", "-f", file, "-o", "json"}));
  CHECK(again["results"][0]["action"] == "unchanged");
  CHECK(again["results"][0]["changes"].empty());
  CHECK(Gen(GetApp("cli-apply")) == g1);

  // The same app as JSON, one field changed: one field-level change, one new generation.
  const std::string v2 = R"({"kind": "App", "name": "cli-apply", "spec": {"image": ")" + image +
                         R"(", "containersPer": {"instance": 2}, "ports": [{"hostPort": 18300, "containerPort": 80}],
                          "env": {"MODE": "debug"}}})";
  const std::string file2 = WriteFile("apply-v2.json", v2);
  const auto planned = Ok(Cli({"apply", "-f", file2, "--dry-run", "-o", "json"}));
  CHECK(planned["results"][0]["action"] == "update");
  REQUIRE(planned["results"][0]["changes"].size() == 1);
  CHECK(planned["results"][0]["changes"][0]["path"] == "spec.env.MODE");
  CHECK(Gen(GetApp("cli-apply")) == g1);
  CHECK_THAT(OkText(Cli({"apply", "-f", file2})),
             Catch::Contains("updated") && Catch::Contains("~ spec.env.MODE: \"prod\" -> \"debug\""));
  CHECK(Gen(GetApp("cli-apply")) == g1 + 1);
  CHECK(GetApp("cli-apply")["spec"]["env"] == json({{"MODE", "debug"}}));
}

TEST_CASE("apply with a bad file exits 1 and changes nothing") {
  const std::string good = "kind: App\nname: cli-apply-bad\nspec: {image: \"" + SharedStack().sample_image + "\"}\n";
  const std::string file = WriteFile("apply-bad.yaml", good + "---\nkind: App\nname: other\nspec: {imagee: x}\n");
  const auto r = Cli({"apply", "-f", file});
  Fails(r, 1, "usage; see --help");
  CHECK_THAT(r.err, Catch::Contains("document 2") && Catch::Contains("imagee"));
  Fails(Cli({"apps", "get", "cli-apply-bad"}), 2, "NOT_FOUND");
  Fails(Cli({"apply", "-f", WriteFile("apply-syntax.yaml", "kind: App\nname: [x\n")}), 1, "usage; see --help");
  Fails(Cli({"apply", "-f", "/nonexistent/file.yaml"}), 1, "usage; see --help");
}

TEST_CASE("login writes a 0600 config with contexts; env vars and --context override it") {
  ::unlink(ConfigPath().c_str());
  const std::string endpoint = SharedStack().endpoint;
  CHECK_THAT(OkText(Cli({"login", "--user", "admin", "--password", "whatever-1", "--save-as", "dev"})),
             Catch::Contains("logged in to " + endpoint));
  struct stat st {};
  REQUIRE(::stat(ConfigPath().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  const auto contexts = Ok(Cli({"config", "get-contexts", "-o", "json"}));
  CHECK(contexts["currentContext"] == "dev");
  CHECK(contexts["contexts"][0]["endpoint"] == endpoint);
  CHECK(nebula::testing::ReadFile(ConfigPath()).find("whatever-1") != std::string::npos);

  // A second context pointing nowhere; switching to it breaks calls until NEBULA_ENDPOINT overrides.
  OkText(Cli({"login", "--save-as", "dev", "--user", "admin", "--password", "whatever-1"}));
  std::ofstream(ConfigPath(), std::ios::app) << "- name: dead\n  endpoint: 127.0.0.1:1\n";
  CHECK(OkText(Cli({"config", "use-context", "dead"})) == "switched to context \"dead\"\n");
  CHECK(OkText(Cli({"config", "current-context"})) == "dead\n");
  Fails(Cli({"apps", "list", "--timeout", "2", "--endpoint", "127.0.0.1:1"}), 5, "UNAVAILABLE");
  Ok(Cli({"apps", "list", "-o", "json"}));  // NEBULA_ENDPOINT from the stack wins over the context
  Ok(Cli({"apps", "list", "-o", "json", "--context", "dev", "--endpoint", endpoint}));
  Fails(Cli({"apps", "list", "--context", "nope"}), 2, "NOT_FOUND");
  Fails(Cli({"config", "use-context", "nope"}), 2, "NOT_FOUND");
  CHECK(OkText(Cli({"config", "delete-context", "dead"})) == "deleted context \"dead\"\n");
  Fails(Cli({"config", "current-context"}), 2, "NOT_FOUND");  // the current context was the deleted one
  CHECK(Ok(Cli({"config", "get-contexts", "-o", "json"}))["contexts"].size() == 1);
  std::ofstream(ConfigPath()) << "contexts: [oops\n";
  const auto broken = Cli({"apps", "list"});
  Fails(broken, 1, "usage; see --help");
  CHECK_THAT(broken.err, Catch::StartsWith("error: config file "));
  ::unlink(ConfigPath().c_str());
}

TEST_CASE("completion scripts and help with examples on every command") {
  const auto bash = OkText(Cli({"completion", "bash"}));
  CHECK_THAT(bash, Catch::Contains("complete -o default -F _nebula nebula") && Catch::Contains("\" device-groups\")"));
  CHECK(Run({"bash", "-n", "-c", bash}, {}, std::chrono::seconds(20)).exit_code == 0);
  CHECK_THAT(OkText(Cli({"completion", "zsh"})), Catch::Contains("bashcompinit"));
  for (const std::vector<std::string>& cmd : {std::vector<std::string>{"apps", "restart"},
                                              {"apps", "rollback"},
                                              {"device-groups", "add-app"},
                                              {"cron-jobs", "create"},
                                              {"tokens", "create"},
                                              {"user-groups", "create"},
                                              {"apply"},
                                              {"login"},
                                              {"workers", "list"},
                                              {"reports", "list"},
                                              {"config", "use-context"},
                                              {"whoami"},
                                              {"prune"}}) {
    auto args = cmd;
    args.push_back("--help");
    const auto r = Cli(args);
    INFO(cmd[0]);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("Example"));
  }
}

TEST_CASE("wait follows a real agent: exit 0 on a converged rollout, 8 on a failed one") {
  const std::string app = "cli-wait";
  const int port = TestPort(10);
  auto agent = StartAgent(app, port);
  const std::string image = SharedStack().sample_image;
  // Until the agent's first report is folded, no host lists the app and a rollout is trivially done.
  INFO("agent log: " << agent->LogTail());
  REQUIRE(Eventually([&] { return Cli({"workers", "get", WorkerId(), "-o", "json"}).exit_code == 0; }, 60s, 500ms));

  const auto created =
      Cli({"apps", "create", app, "--image", image, "--containers", "2", "--wait", "--timeout", "150"});
  INFO("agent log: " << agent->LogTail());
  INFO("stdout: " << created.out << "\nstderr: " << created.err);
  REQUIRE(created.exit_code == 0);
  CHECK_THAT(created.out, Catch::StartsWith("app \"cli-wait\" created"));
  // Plain lines (stderr is not a terminal), as cli/README.md shows them.
  CHECK_THAT(created.err, Catch::Contains(": 1 observed, 1/1 converged, 0 failed (CONVERGED)"));
  const auto status = Ok(Cli({"apps", "status", app, "-o", "json"}));
  CHECK(status["rollout"] == "CONVERGED");
  CHECK(status["hostsConverged"] == 1);
  const auto workers = Ok(Cli({"workers", "list", "-o", "json"}));
  bool listed = false;
  for (const auto& w : workers["workers"]) listed = listed || w["id"] == WorkerId();
  CHECK(listed);
  CHECK(Ok(Cli({"workers", "get", WorkerId(), "-o", "json"}))["id"] == WorkerId());
  const auto reports = Ok(Cli({"reports", "list", "--app", app, "-o", "json"}));
  REQUIRE(reports["workers"].size() == 1);
  CHECK(reports["workers"][0]["appReports"][0]["app"] == app);
  CHECK_THAT(OkText(Cli({"reports", "get", WorkerId()})), Catch::Contains(app));

  // On a terminal (a pty from script(1)) the progress is a bar redrawn in place.
  auto env = SharedStack().Env();
  env["NEBULA_CONFIG"] = ConfigPath();
  // script(1) needs a readable stdin to copy the child's output; Run closes it, so give it /dev/null.
  const auto tty = Run({"sh", "-c",
                        "script -qec '" + SharedStack().bin_dir + "/nebula apps restart " + app +
                            " --wait --timeout 120' /dev/null < /dev/null"},
                       env, std::chrono::seconds(150));
  INFO("tty output: " << tty.out);
  CHECK(tty.exit_code == 0);
  CHECK_THAT(tty.out,
             Catch::Contains("\r[") && Catch::Contains("#] 1 observed, 1/1 converged, 0 failed  cli-wait generation"));

  // apply --wait follows the rollout of the app it changed.
  const std::string doc = "kind: App\nname: " + app + "\nspec: {image: \"" + image +
                          "\", containersPer: {instance: 2}, env: {ROUND: \"1\"}}\n";
  const auto applied = Cli({"apply", "-f", WriteFile("wait.yaml", doc), "--wait", "--timeout", "150"});
  INFO("stderr: " << applied.err);
  CHECK(applied.exit_code == 0);
  CHECK_THAT(applied.out, Catch::Contains("+ spec.env: {\"ROUND\":\"1\"}"));
  CHECK(Ok(Cli({"apps", "status", app, "-o", "json"}))["rollout"] == "CONVERGED");

  const auto failed = Cli({"apps", "update", app, "--image", SharedStack().registry + "/nebula/does-not-exist:1",
                           "--wait", "--timeout", "150"});
  INFO("stderr: " << failed.err);
  CHECK(failed.exit_code == 8);
  CHECK_THAT(failed.err, Catch::Contains("failed on 1/1 hosts") && Catch::Contains("(ROLLOUT_FAILED)"));

  // A rolling update that waits 60 s between batches cannot converge within 4 s.
  const auto timed_out = Cli({"apps", "update", app, "--image", image, "--env", "ROUND=2", "--rolling",
                              "--min-ready-seconds", "60", "--wait", "--timeout", "4"});
  INFO("stderr: " << timed_out.err);
  CHECK(timed_out.exit_code == 9);
  CHECK_THAT(timed_out.err, Catch::EndsWith("(WAIT_TIMEOUT)\n"));

  Ok(Cli({"apps", "delete", app, "-o", "json"}));
  agent->Stop();
  RemoveAgentContainers();
}
