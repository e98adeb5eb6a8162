#include "api-manager/flags.h"

#include <catch2/catch.hpp>

#include "scoped_env.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "common/error.h"

namespace am = nebula::api_manager;

using nebula::testing::ScopedEnv;
using nebula::testing::TempConfigFile;

namespace {

// Parses argv like main does; returns CLI11's exit code (0 = parsed).
int Parse(std::vector<std::string> args, am::ApiManagerFlags& flags) {
  CLI::App app;
  am::AddFlags(app, flags);
  args.insert(args.begin(), "nebula-api-manager");
  std::vector<const char*> argv;
  for (auto& a : args) argv.push_back(a.c_str());
  try {
    app.parse(int(argv.size()), argv.data());
    return 0;
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code();
  }
}

}  // namespace

TEST_CASE("defaults follow the contract") {
  am::ApiManagerFlags flags;
  REQUIRE(Parse({"--database-url", "host=db"}, flags) == 0);
  CHECK(flags.listen == "127.0.0.1:50051");
  CHECK(flags.database_url == "host=db");
  CHECK(flags.kafka_brokers == "127.0.0.1:9092");
  CHECK(flags.desired_partitions == 8);
  CHECK(flags.log_level == "info");
  CHECK(flags.kafka_properties.empty());
}

TEST_CASE("the database URL is required") {
  am::ApiManagerFlags flags;
  CHECK(Parse({}, flags) != 0);
}

TEST_CASE("every flag has a NEBULA_* environment fallback") {
  ScopedEnv a("NEBULA_LISTEN", "0.0.0.0:6000");
  ScopedEnv b("NEBULA_DATABASE_URL", "postgresql://u@h/db");
  ScopedEnv c("NEBULA_KAFKA_BROKERS", "k1:9092,k2:9092");
  ScopedEnv d("NEBULA_DESIRED_PARTITIONS", "16");
  ScopedEnv e("NEBULA_LOG_LEVEL", "debug");
  ScopedEnv f("NEBULA_KAFKA_PROPERTIES", "security.protocol=ssl,ssl.ca.location=/ca.pem");
  am::ApiManagerFlags flags;
  REQUIRE(Parse({}, flags) == 0);
  CHECK(flags.listen == "0.0.0.0:6000");
  CHECK(flags.database_url == "postgresql://u@h/db");
  CHECK(flags.kafka_brokers == "k1:9092,k2:9092");
  CHECK(flags.desired_partitions == 16);
  CHECK(flags.log_level == "debug");
  CHECK(flags.kafka_properties == std::vector<std::string>{"security.protocol=ssl", "ssl.ca.location=/ca.pem"});

  am::ApiManagerFlags overridden;
  REQUIRE(Parse({"--desired-partitions", "4"}, overridden) == 0);
  CHECK(overridden.desired_partitions == 4);  // a flag beats the environment
}

TEST_CASE("bad values are refused") {
  am::ApiManagerFlags flags;
  CHECK(Parse({"--database-url", "x", "--desired-partitions", "0"}, flags) != 0);
  CHECK(Parse({"--database-url", "x", "--log-level", "loud"}, flags) != 0);
}

TEST_CASE("kafka properties are key=value") {
  auto properties = am::ParseKafkaProperties({"a=1", "b=x=y", "c="});
  CHECK(properties == std::map<std::string, std::string>{{"a", "1"}, {"b", "x=y"}, {"c", ""}});
  CHECK_THROWS_AS(am::ParseKafkaProperties({"novalue"}), nebula::Error);
  CHECK_THROWS_AS(am::ParseKafkaProperties({"=x"}), nebula::Error);
}

TEST_CASE("the read cache staleness bound defaults to 2 s and 0 turns the cache off") {
  am::ApiManagerFlags flags;
  REQUIRE(Parse({"--database-url", "host=db"}, flags) == 0);
  CHECK(flags.read_cache_staleness_ms == 2000);
  am::ApiManagerFlags off;
  REQUIRE(Parse({"--database-url", "host=db", "--read-cache-staleness-ms", "0"}, off) == 0);
  CHECK(off.read_cache_staleness_ms == 0);
  am::ApiManagerFlags bad;
  CHECK(Parse({"--database-url", "host=db", "--read-cache-staleness-ms", "-1"}, bad) != 0);
  ScopedEnv env("NEBULA_READ_CACHE_STALENESS_MS", "500");
  am::ApiManagerFlags from_env;
  REQUIRE(Parse({"--database-url", "host=db"}, from_env) == 0);
  CHECK(from_env.read_cache_staleness_ms == 500);
}

TEST_CASE("the --auth flag defaults to none and accepts only none or required") {
  am::ApiManagerFlags flags;
  REQUIRE(Parse({"--database-url", "host=db"}, flags) == 0);
  CHECK(flags.auth == "none");
  am::ApiManagerFlags required;
  REQUIRE(Parse({"--database-url", "host=db", "--auth", "required"}, required) == 0);
  CHECK(required.auth == "required");
  am::ApiManagerFlags bad;
  CHECK(Parse({"--database-url", "host=db", "--auth", "open"}, bad) != 0);
  ScopedEnv env("NEBULA_AUTH", "required");
  am::ApiManagerFlags from_env;
  REQUIRE(Parse({"--database-url", "host=db"}, from_env) == 0);
  CHECK(from_env.auth == "required");
}

TEST_CASE("a config file sets flags and flags and env beat it") {
  TempConfigFile file(
      "# nebula-api-manager\n"
      "database-url = \"host=fromfile\"\n"
      "listen = \"0.0.0.0:7000\"\n"
      "desired-partitions = 3\n"
      "log-level = \"warn\"\n"
      "kafka-property = [\"security.protocol=ssl\", \"ssl.ca.location=/ca.pem\"]\n");
  am::ApiManagerFlags from_file;
  REQUIRE(Parse({"--config", file.path}, from_file) == 0);
  CHECK(from_file.database_url == "host=fromfile");
  CHECK(from_file.listen == "0.0.0.0:7000");
  CHECK(from_file.desired_partitions == 3);
  CHECK(from_file.log_level == "warn");
  CHECK(from_file.kafka_properties == std::vector<std::string>{"security.protocol=ssl", "ssl.ca.location=/ca.pem"});
  CHECK(from_file.kafka_brokers == "127.0.0.1:9092");  // absent from the file: the default

  ScopedEnv env("NEBULA_LISTEN", "10.0.0.1:8000");
  am::ApiManagerFlags env_beats_file;
  REQUIRE(Parse({"--config", file.path}, env_beats_file) == 0);
  CHECK(env_beats_file.listen == "10.0.0.1:8000");
  CHECK(env_beats_file.desired_partitions == 3);

  am::ApiManagerFlags flag_beats_both;
  REQUIRE(Parse({"--config", file.path, "--listen", "127.0.0.1:9000"}, flag_beats_both) == 0);
  CHECK(flag_beats_both.listen == "127.0.0.1:9000");
}

TEST_CASE("NEBULA_API_MANAGER_CONFIG names the config file") {
  TempConfigFile file("database-url = \"host=viaenv\"\n");
  ScopedEnv env("NEBULA_API_MANAGER_CONFIG", file.path.c_str());
  am::ApiManagerFlags flags;
  REQUIRE(Parse({}, flags) == 0);
  CHECK(flags.database_url == "host=viaenv");
}

// NEBULA_CONFIG names the nebula CLI's YAML file; a shell that sets it for the CLI must not change
// (or break) the api-manager it starts.
TEST_CASE("the api-manager ignores NEBULA_CONFIG") {
  TempConfigFile file("database-url = \"host=viaenv\"\n");
  ScopedEnv env("NEBULA_CONFIG", file.path.c_str());
  am::ApiManagerFlags without_url;
  CHECK(Parse({}, without_url) != 0);  // --database-url is required and the file was not read
  CHECK(without_url.database_url.empty());

  TempConfigFile cli_yaml("current-context: prod\ncontexts: []\n");  // not TOML: would fail if read
  ScopedEnv cli_env("NEBULA_CONFIG", cli_yaml.path.c_str());
  am::ApiManagerFlags flags;
  REQUIRE(Parse({"--database-url", "host=db"}, flags) == 0);
  CHECK(flags.database_url == "host=db");
}

TEST_CASE("an unknown key in the config file is a clear error") {
  TempConfigFile file("database-url = \"host=db\"\nlisten-adress = \"0.0.0.0:1\"\n");
  am::ApiManagerFlags flags;
  CLI::App app;
  am::AddFlags(app, flags);
  std::vector<const char*> argv{"nebula-api-manager", "--config", file.path.c_str()};
  try {
    app.parse(int(argv.size()), argv.data());
    FAIL("an unknown key was accepted");
  } catch (const CLI::ConfigError& e) {
    CHECK_THAT(e.what(), Catch::Matchers::Contains("unknown key \"listen-adress\""));
  }
}

TEST_CASE("a missing config file is an error") {
  am::ApiManagerFlags flags;
  CHECK(Parse({"--database-url", "x", "--config", "/nonexistent/nebula.toml"}, flags) != 0);
}

TEST_CASE("TLS flags come as a certificate and key pair") {
  TempConfigFile pem("not really a PEM but an existing file\n");
  am::ApiManagerFlags flags;
  REQUIRE(Parse({"--database-url", "x", "--tls-cert", pem.path, "--tls-key", pem.path}, flags) == 0);
  CHECK(flags.tls_cert == pem.path);
  CHECK(flags.tls_client_ca.empty());
  am::ApiManagerFlags cert_only;
  CHECK(Parse({"--database-url", "x", "--tls-cert", pem.path}, cert_only) != 0);
  am::ApiManagerFlags ca_only;
  CHECK(Parse({"--database-url", "x", "--tls-client-ca", pem.path}, ca_only) != 0);
  am::ApiManagerFlags missing;
  CHECK(Parse({"--database-url", "x", "--tls-cert", "/nonexistent.pem", "--tls-key", pem.path}, missing) != 0);
}

TEST_CASE("a flag inside a config file section is an unknown key") {
  TempConfigFile file("database-url = \"host=db\"\n[tls]\nlisten = \"0.0.0.0:1\"\n");
  am::ApiManagerFlags flags;
  CHECK(Parse({"--config", file.path}, flags) != 0);
  CHECK(flags.listen == "127.0.0.1:50051");
}
