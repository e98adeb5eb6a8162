// service_flags.h on a small command line of its own: the rules every service inherits.
#include "common/service_flags.h"

#include <catch2/catch.hpp>

#include "scoped_env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

using nebula::testing::ScopedEnv;
using nebula::testing::TempConfigFile;

namespace {

struct Flags {
  std::string listen = "default:1";
  int count = 1;
  std::vector<std::string> items;
  std::string log_level = "info";
  std::string log_format = "text";
};

// "" or CLI11's error message. config_file: DescribeConfigFile after the parse, when given.
std::string Parse(std::vector<std::string> args, Flags& flags, std::string* config_file = nullptr) {
  CLI::App app;
  nebula::AddConfigFileFlag(app, "NEBULA_TEST_CONFIG", "listen = \"x:1\"");
  app.add_option("--listen", flags.listen)->envname("NEBULA_TEST_LISTEN");
  app.add_option("--count", flags.count);  // no environment variable
  app.add_option("--item", flags.items)->delimiter(',');
  nebula::AddLoggingFlags(app, flags.log_level, flags.log_format);
  args.insert(args.begin(), "test");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(int(argv.size()), argv.data());
    if (config_file) *config_file = nebula::DescribeConfigFile(app);
    return "";
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("config file values sit between the environment and the defaults") {
  TempConfigFile file("listen = \"file:2\"\ncount = 5\nitem = [\"a\", \"b\"]\nlog-level = \"warn\"\n");
  Flags defaults;
  REQUIRE(Parse({}, defaults).empty());
  CHECK(defaults.listen == "default:1");
  CHECK(defaults.count == 1);

  Flags from_file;
  REQUIRE(Parse({"--config", file.path}, from_file).empty());
  CHECK(from_file.listen == "file:2");
  CHECK(from_file.count == 5);
  CHECK(from_file.items == std::vector<std::string>{"a", "b"});
  CHECK(from_file.log_level == "warn");
  CHECK(from_file.log_format == "text");

  ScopedEnv env("NEBULA_TEST_LISTEN", "env:3");
  Flags env_wins;
  REQUIRE(Parse({"--config", file.path}, env_wins).empty());
  CHECK(env_wins.listen == "env:3");
  CHECK(env_wins.count == 5);

  Flags flag_wins;
  REQUIRE(Parse({"--config", file.path, "--listen", "flag:4", "--count", "7"}, flag_wins).empty());
  CHECK(flag_wins.listen == "flag:4");
  CHECK(flag_wins.count == 7);
}

TEST_CASE("the config file may come from its environment variable") {
  TempConfigFile file("count = 9\n");
  ScopedEnv env("NEBULA_TEST_CONFIG", file.path.c_str());
  Flags flags;
  REQUIRE(Parse({}, flags).empty());
  CHECK(flags.count == 9);
}

TEST_CASE("the start-up log names the config file and the flag or variable it came from") {
  TempConfigFile file("count = 9\n");
  Flags flags;
  std::string described;
  REQUIRE(Parse({}, flags, &described).empty());
  CHECK(described == "no config file (neither --config nor NEBULA_TEST_CONFIG is set)");
  REQUIRE(Parse({"--config", file.path}, flags, &described).empty());
  CHECK(described == "config file " + file.path + " (from --config)");
  ScopedEnv env("NEBULA_TEST_CONFIG", file.path.c_str());
  REQUIRE(Parse({}, flags, &described).empty());
  CHECK(described == "config file " + file.path + " (from NEBULA_TEST_CONFIG)");
  TempConfigFile other("count = 8\n");
  REQUIRE(Parse({"--config", other.path}, flags, &described).empty());
  CHECK(described == "config file " + other.path + " (from --config)");  // the flag beats the variable
  CHECK(flags.count == 8);
}

TEST_CASE("config file keys that are not flags are errors naming the key and the file") {
  for (const char* key : {"lisen", "config", "help"}) {
    TempConfigFile file(std::string(key) + " = \"x\"\n");
    Flags flags;
    const std::string error = Parse({"--config", file.path}, flags);
    INFO(key);
    CHECK_THAT(error, Catch::Matchers::Contains("unknown key \"" + std::string(key) + "\""));
    CHECK_THAT(error, Catch::Matchers::Contains(file.path));
  }
  TempConfigFile sectioned("[server]\nlisten = \"x:1\"\n");
  Flags flags;
  CHECK_THAT(Parse({"--config", sectioned.path}, flags), Catch::Matchers::Contains("unknown key \"server.listen\""));
  CHECK(flags.listen == "default:1");
}

TEST_CASE("a config file that does not exist is an error") {
  Flags flags;
  CHECK_FALSE(Parse({"--config", "/nonexistent/nebula.toml"}, flags).empty());
}

TEST_CASE("log flags accept only known levels and formats") {
  Flags json;
  REQUIRE(Parse({"--log-format", "json", "--log-level", "off"}, json).empty());
  CHECK(json.log_format == "json");
  CHECK(json.log_level == "off");
  ScopedEnv env("NEBULA_LOG_FORMAT", "json");
  Flags from_env;
  REQUIRE(Parse({}, from_env).empty());
  CHECK(from_env.log_format == "json");
  Flags bad;
  CHECK_FALSE(Parse({"--log-format", "xml"}, bad).empty());
  CHECK_FALSE(Parse({"--log-level", "verbose"}, bad).empty());
}
