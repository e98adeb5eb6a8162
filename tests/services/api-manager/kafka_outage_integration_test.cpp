// No lost desired state (docs/architecture.md "Write path"): with the Kafka broker frozen (SIGSTOP), writes still
// succeed because they only touch PostgreSQL; once it is back, the outbox relay delivers, and the LAST record of every
// app on nebula.desired carries its newest generation. Its own binary, so its own stack: the freeze must not disturb
// other tests.
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include <csignal>
#include <filesystem>
#include <fstream>

#include "api_test_support.h"

using namespace nebula::api_manager::it;

namespace {

// The stack's broker: the java process running kafka.Kafka with a config under the stack's state dir.
pid_t KafkaBrokerPid(const std::string& state_dir) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    if (cmdline.find("kafka.Kafka") != std::string::npos && cmdline.find(state_dir) != std::string::npos)
      return static_cast<pid_t>(std::stol(pid));
  }
  return 0;
}

// SIGCONT on scope exit, so a failing assertion never leaves the broker frozen.
struct FrozenProcess {
  pid_t pid;
  explicit FrozenProcess(pid_t p) : pid(p) { REQUIRE(::kill(pid, SIGSTOP) == 0); }
  void Thaw() {
    if (pid) ::kill(pid, SIGCONT);
    pid = 0;
  }
  ~FrozenProcess() { Thaw(); }
};

}  // namespace

TEST_CASE("writes during a Kafka outage all succeed and reach nebula.desired once it is back", "[integration]") {
  Api api;
  constexpr int kApps = 5;
  constexpr int kUpdates = 100;
  std::vector<std::string> names;
  for (int i = 0; i < kApps; ++i) {
    names.push_back(UniqueName("outage-" + std::to_string(i)));
    REQUIRE(api.Create(names.back(), Spec()).ok());
  }
  // The relay has delivered the creates: the broker is known to work before we freeze it.
  for (const auto& name : names) AwaitLastRecord(name, [](const TopicRecord& r) { return HasGeneration(r, 1); });

  const pid_t broker = KafkaBrokerPid(Stack().state_dir);
  REQUIRE(broker > 0);
  std::map<std::string, int64_t> newest;
  {
    FrozenProcess frozen(broker);
    for (int i = 0; i < kUpdates; ++i) {
      const std::string& name = names[i % kApps];
      AppSpec spec = Spec();
      (*spec.mutable_env())["STEP"] = std::to_string(i);
      App updated;
      auto status = api.Update(UpdateRequest(name, spec), &updated);
      INFO("update " << i << ": " << status.error_message());
      REQUIRE(status.ok());
      newest[name] = updated.generation();
    }
    // Nothing could be delivered: the outbox holds every update.
    CHECK(CountRows("SELECT count(*) FROM outbox WHERE key LIKE $1", "app/outage-%") >= kUpdates);
    frozen.Thaw();
  }
  for (const auto& name : names) {
    INFO(name << " newest generation " << newest[name]);
    auto snapshot = AwaitLastRecord(name, [&](const TopicRecord& r) { return HasGeneration(r, newest[name]); });
    const auto& records = snapshot.by_key.at(nebula::AppKey(name));
    auto last = ParseState(records.back());
    CHECK(last.generation() == newest[name]);
    CHECK(last.generation() == 1 + kUpdates / kApps);
  }
  CHECK(nebula::testing::Eventually(
      [] { return CountRows("SELECT count(*) FROM outbox WHERE key LIKE $1", "app/outage-%") == 0; }, 60s));
}
