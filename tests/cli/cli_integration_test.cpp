// The built `nebula` binary against the real stack (nebula-devstack: PostgreSQL, Kafka,
// api-manager): JSON output, exit codes, error lines, and that failed calls change nothing.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "stack_fixture.h"

using nebula::testing::CommandResult;
using nebula::testing::Run;
using nebula::testing::SharedStack;
using json = nlohmann::json;

namespace {

// NEBULA_ENDPOINT comes from the stack's environment, so this also covers the env fallback.
CommandResult Nebula(std::vector<std::string> args) {
  const auto& stack = SharedStack();
  args.insert(args.begin(), stack.bin_dir + "/nebula");
  return Run(args, stack.Env(), std::chrono::seconds(60));
}

json Ok(const CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.empty());
  return json::parse(r.out);
}

// A failure: the documented exit code, nothing on stdout, exactly one line on stderr.
void Fails(const CommandResult& r, int exit_code, const std::string& code_name) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == exit_code);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::EndsWith(" (" + code_name + ")\n"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

int64_t Generation(const json& app) { return std::stoll(app.at("generation").get<std::string>()); }

json Get(const std::string& name) { return Ok(Nebula({"apps", "get", name, "-o", "json"})); }

std::vector<std::string> ListedNames() {
  std::vector<std::string> names;
  const auto doc = Ok(Nebula({"apps", "list", "-o", "json", "--page-size", "2"}));
  for (const auto& app : doc.value("apps", json::array())) names.push_back(app.at("name").get<std::string>());
  return names;
}

bool Listed(const std::string& name) {
  const auto names = ListedNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

TEST_CASE("create, get, list, update, delete through the CLI") {
  const std::string image = SharedStack().sample_image;
  const std::string name = "cli-crud";

  auto created = Ok(Nebula({"apps",
                            "create",
                            name,
                            "--image",
                            image,
                            "--containers-per",
                            "memory=256",
                            "--port",
                            "127.0.0.1:18080:80/udp",
                            "--env",
                            "A=1",
                            "--env",
                            "B=2",
                            "--volume",
                            "/tmp:/data:ro",
                            "--label",
                            "team=cli",
                            "--command",
                            "/bin/sh",
                            "--arg=-c",
                            "--arg",
                            "sleep 1000",
                            "--pull",
                            "never",
                            "--restart-policy",
                            "on-failure",
                            "--rolling",
                            "--max-unavailable",
                            "2",
                            "--min-ready-seconds",
                            "5",
                            "-o",
                            "json"}));
  CHECK(created["name"] == name);
  const int64_t gen1 = Generation(created);
  CHECK(gen1 >= 1);
  const auto& spec = created["spec"];
  CHECK(spec["image"] == image);
  CHECK(spec["containersPer"]["memoryMb"] == "256");
  CHECK(spec["ports"][0] ==
        json({{"hostPort", 18080}, {"containerPort", 80}, {"protocol", "PROTOCOL_UDP"}, {"hostIp", "127.0.0.1"}}));
  CHECK(spec["env"] == json({{"A", "1"}, {"B", "2"}}));
  CHECK(spec["volumes"][0] == json({{"source", "/tmp"}, {"target", "/data"}, {"readOnly", true}}));
  CHECK(spec["labels"]["team"] == "cli");
  CHECK(spec["command"] == json({"/bin/sh"}));
  CHECK(spec["args"] == json({"-c", "sleep 1000"}));
  CHECK(spec["pullPolicy"] == "PULL_POLICY_NEVER");
  CHECK(spec["restartPolicy"] == "RESTART_POLICY_ON_FAILURE");
  CHECK(spec["updateStrategy"] == json({{"rolling", true}, {"maxUnavailable", 2}, {"minReadySeconds", 5}}));

  CHECK(Get(name) == created);
  CHECK(Listed(name));

  // Table and YAML views of the same app.
  auto table = Nebula({"apps", "get", name});
  REQUIRE(table.exit_code == 0);
  CHECK_THAT(table.out, Catch::StartsWith("NAME ") && Catch::Contains("GENERATION") && Catch::Contains(name) &&
                            Catch::Contains(image) && Catch::Contains("1/256MiB"));
  auto yaml = Nebula({"apps", "get", name, "-o", "yaml"});
  REQUIRE(yaml.exit_code == 0);
  CHECK_THAT(yaml.out,
             Catch::StartsWith("name: " + name + "\n") && Catch::Contains("  env:\n    A: \"1\"\n    B: \"2\"\n"));
  auto list_table = Nebula({"apps", "list"});
  REQUIRE(list_table.exit_code == 0);
  CHECK_THAT(list_table.out, Catch::StartsWith("NAME ") && Catch::Contains("\n" + name + " "));

  // update: only the given fields change, each successful call bumps the generation by one.
  auto updated = Ok(Nebula({"apps", "update", name, "--pull", "always", "-o", "json"}));
  CHECK(Generation(updated) == gen1 + 1);
  CHECK(updated["spec"]["pullPolicy"] == "PULL_POLICY_ALWAYS");
  auto expected = created["spec"];
  expected["pullPolicy"] = "PULL_POLICY_ALWAYS";
  CHECK(updated["spec"] == expected);

  updated = Ok(Nebula({"apps", "update", name, "--env", "C=3", "--stopped", "--cpus", "0.5", "-o", "json"}));
  CHECK(Generation(updated) == gen1 + 2);
  CHECK(updated["spec"]["env"] == json({{"C", "3"}}));  // --env replaces the whole map
  CHECK(updated["spec"]["running"] == false);
  CHECK(updated["spec"]["resources"]["cpus"] == 0.5);
  CHECK(updated["spec"]["image"] == image);

  // Nested mask paths: --memory must not reset --cpus, --no-rolling must keep maxUnavailable.
  updated = Ok(Nebula({"apps", "update", name, "--memory", "128", "--no-rolling", "--expected-generation",
                       std::to_string(gen1 + 2), "-o", "json"}));
  CHECK(Generation(updated) == gen1 + 3);
  CHECK(updated["spec"]["resources"] == json({{"cpus", 0.5}, {"memoryMb", "128"}}));
  CHECK(updated["spec"]["updateStrategy"] == json({{"maxUnavailable", 2}, {"minReadySeconds", 5}}));

  updated = Ok(Nebula({"apps", "update", name, "--clear", "env", "--clear", "ports", "--running", "-o", "json"}));
  CHECK(Generation(updated) == gen1 + 4);
  CHECK_FALSE(updated["spec"].contains("env"));
  CHECK_FALSE(updated["spec"].contains("ports"));
  CHECK(updated["spec"]["running"] == true);
  CHECK(Get(name) == updated);

  // delete: returns the deletion's generation; afterwards the app is gone.
  auto deleted = Ok(Nebula({"apps", "delete", name, "--expected-generation", std::to_string(gen1 + 4), "-o", "json"}));
  CHECK(Generation(deleted) == gen1 + 5);
  Fails(Nebula({"apps", "get", name}), 2, "NOT_FOUND");
  Fails(Nebula({"apps", "delete", name}), 2, "NOT_FOUND");
  CHECK_FALSE(Listed(name));

  // Re-created, it continues past the deleted generation.
  auto recreated = Ok(Nebula({"apps", "create", name, "--image", image, "-o", "json"}));
  CHECK(Generation(recreated) > gen1 + 5);
  auto human = Nebula({"apps", "delete", name});
  CHECK(human.exit_code == 0);
  CHECK_THAT(human.out, Catch::StartsWith("app \"" + name + "\" deleted (generation "));
}

TEST_CASE("not found, already exists and aborted: documented exit codes, nothing changes") {
  const std::string image = SharedStack().sample_image;
  const std::string name = "cli-conflicts";

  Fails(Nebula({"apps", "get", "cli-never-created"}), 2, "NOT_FOUND");
  Fails(Nebula({"apps", "update", "cli-never-created", "--image", image}), 2, "NOT_FOUND");
  Fails(Nebula({"apps", "delete", "cli-never-created"}), 2, "NOT_FOUND");

  const auto created = Ok(Nebula({"apps", "create", name, "--image", image, "--env", "K=v", "-o", "json"}));
  const int64_t gen = Generation(created);

  auto again = Nebula({"apps", "create", name, "--image", image + "-other", "--env", "K=changed"});
  Fails(again, 3, "ALREADY_EXISTS");
  CHECK_THAT(again.err, Catch::Contains(name));
  CHECK(Get(name) == created);

  Fails(Nebula({"apps", "update", name, "--env", "K=changed", "--expected-generation", std::to_string(gen + 7)}), 3,
        "ABORTED");
  Fails(Nebula({"apps", "delete", name, "--expected-generation", std::to_string(gen + 7)}), 3, "ABORTED");
  CHECK(Get(name) == created);

  Ok(Nebula({"apps", "delete", name, "-o", "json"}));
}

TEST_CASE("invalid arguments: exit 4 with the field named, nothing changes") {
  const std::string image = SharedStack().sample_image;
  const std::string name = "cli-invalid";

  auto bad_name = Nebula({"apps", "create", "Not_A_DNS_Label", "--image", image});
  Fails(bad_name, 4, "INVALID_ARGUMENT");
  CHECK_THAT(bad_name.err, Catch::Contains("app.name"));
  CHECK_FALSE(Listed("Not_A_DNS_Label"));

  // The highest host port of 3 containers (65534 + 2) is out of range: only the server knows the count rule.
  auto bad_ports = Nebula({"apps", "create", name, "--image", image, "--containers", "3", "--port", "65534:80"});
  Fails(bad_ports, 4, "INVALID_ARGUMENT");
  CHECK_THAT(bad_ports.err, Catch::Contains("app.spec.ports[0]"));
  Fails(Nebula({"apps", "get", name}), 2, "NOT_FOUND");

  const auto created = Ok(Nebula({"apps", "create", name, "--image", image, "-o", "json"}));
  auto bad_image = Nebula({"apps", "update", name, "--image", "Not A Valid Image!", "--env", "X=1"});
  Fails(bad_image, 4, "INVALID_ARGUMENT");
  CHECK_THAT(bad_image.err, Catch::Contains("app.spec.image"));
  CHECK(Get(name) == created);

  Ok(Nebula({"apps", "delete", name, "-o", "json"}));
}

TEST_CASE("usage errors exit 1 and send nothing") {
  const std::string image = SharedStack().sample_image;
  const auto before = ListedNames();

  auto bad_port = Nebula({"apps", "create", "cli-usage", "--image", image, "--port", "80"});
  CHECK(bad_port.exit_code == 1);
  CHECK_THAT(bad_port.err, Catch::StartsWith("error: --port \"80\": ") && Catch::Contains("HOST:CONTAINER"));
  CHECK(std::count(bad_port.err.begin(), bad_port.err.end(), '\n') == 1);

  CHECK(Nebula({"apps", "create", "cli-usage", "--image", image, "--containers-per", "disk=3"}).exit_code == 1);
  CHECK(Nebula({"apps", "create", "cli-usage", "--image", image, "--no-such-flag"}).exit_code == 1);
  CHECK(Nebula({"apps", "create"}).exit_code == 1);
  CHECK(Nebula({"apps", "update", "cli-usage"}).exit_code == 1);  // no spec flag
  CHECK(Nebula({"apps", "list", "-o", "xml"}).exit_code == 1);
  CHECK(Nebula({"apps"}).exit_code == 1);
  CHECK(ListedNames() == before);

  auto help = Nebula({"apps", "update", "--help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("Examples:") && Catch::Contains("--expected-generation") &&
                           Catch::Contains("WHOLE env map"));
  auto root_help = Nebula({"--help"});
  CHECK(root_help.exit_code == 0);
  CHECK_THAT(root_help.out, Catch::Contains("Exit codes:") && Catch::Contains("NEBULA_ENDPOINT"));
}

TEST_CASE("an unreachable api-manager exits 5 within --timeout") {
  const auto started = std::chrono::steady_clock::now();
  auto r = Nebula({"--endpoint", "127.0.0.1:1", "--timeout", "3", "apps", "list"});
  Fails(r, 5, "UNAVAILABLE");
  CHECK_THAT(r.err, Catch::Contains("127.0.0.1:1"));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}
