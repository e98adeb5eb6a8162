#include "flags.h"

#include <catch2/catch.hpp>

#include <cstdlib>

#include "error.h"

namespace am = nebula::api_manager;

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

// Sets an environment variable for the scope of a test.
struct ScopedEnv {
  ScopedEnv(const char* name, const char* value) : name_(name) { setenv(name, value, 1); }
  ~ScopedEnv() { unsetenv(name_); }
  const char* name_;
};

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
