// Helpers shared by the CLI integration test files: run the built `nebula` against the test stack
// (with a private config file), parse -o json, check the one-line error convention.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "stack_fixture.h"

namespace nebula::cli_test {

using nebula::testing::CommandResult;
using json = nlohmann::json;

// The stack of this test binary: each binary defines it (Stack() or SharedStack(kRequired)).
const nebula::testing::StackInfo& Stack();

inline std::string ConfigPath() { return Stack().state_dir + "/cli-config-" + std::to_string(getpid()) + ".yaml"; }

inline CommandResult Cli(std::vector<std::string> args, std::map<std::string, std::string> extra = {}) {
  const auto& stack = Stack();
  args.insert(args.begin(), stack.bin_dir + "/nebula");
  auto env = stack.Env();
  env["NEBULA_CONFIG"] = ConfigPath();
  for (auto& [k, v] : extra) env[k] = v;
  return nebula::testing::Run(args, env, std::chrono::seconds(240));
}

inline json Ok(const CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(r.out);
}

inline std::string OkText(const CommandResult& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  return r.out;
}

// A failure: the documented exit code, nothing on stdout, exactly one line on stderr.
inline void Fails(const CommandResult& r, int exit_code, const std::string& code_name) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == exit_code);
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::StartsWith("error: ") && Catch::EndsWith(" (" + code_name + ")\n"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
}

inline int64_t Gen(const json& j) { return std::stoll(j.at("generation").get<std::string>()); }

inline json GetApp(const std::string& name) { return Ok(Cli({"apps", "get", name, "-o", "json"})); }

inline std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = Stack().state_dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace nebula::cli_test
