// Signed desired state end to end (docs/architecture.md "Trust"): the stack's api-manager signs every
// record, an agent that trusts its key runs what the API says, and a producer with full write access to
// nebula.desired but no key — unsigned, signed by a key of its own, or altering a real record — gets a
// privileged container onto no host; `nebula workers get` / `nebula reports get` name every refusal.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <string>
#include <vector>

#include "common/desired_keys.h"
#include "common/signing/record_signature.h"
#include "nebula/v1/desired_state.pb.h"
#include "stack_fixture.h"
#include "test_producer.h"

using nebula::testing::BackgroundProcess;
using nebula::testing::Eventually;
using nebula::testing::SharedStack;
using nebula::testing::TestPort;
using namespace std::chrono_literals;

namespace {

constexpr const char* kApp = "wa-signed";

std::string Worker() { return "wa-signed-" + std::to_string(::getpid()); }

// The app's running container of this worker: id and whether it is privileged ("" / "" when none).
std::pair<std::string, std::string> Running() {
  auto ps = nebula::testing::RunDocker({"ps", "-q", "--no-trunc", "--filter", "label=dev.nebula.worker=" + Worker(),
                                        "--filter", std::string("label=dev.nebula.app=") + kApp});
  const std::string id = ps.out.substr(0, ps.out.find('\n'));
  if (id.empty()) return {};
  auto inspect = nebula::testing::RunDocker({"inspect", "--format", "{{.HostConfig.Privileged}}", id});
  return {id, inspect.out.substr(0, inspect.out.find('\n'))};
}

std::string Record(int64_t generation, bool privileged, const std::string& image) {
  nebula::v1::DesiredState state;
  state.set_key(nebula::AppKey(kApp));
  state.set_generation(generation);
  state.mutable_app()->set_name(kApp);
  state.mutable_app()->set_generation(generation);
  state.mutable_app()->mutable_spec()->set_image(image);
  state.mutable_app()->mutable_spec()->set_privileged(privileged);
  return state.SerializeAsString();
}

}  // namespace

TEST_CASE("a producer without the API's key gets no privileged container onto a verifying agent") {
  const auto& stack = SharedStack();
  REQUIRE_FALSE(stack.trusted_keys.empty());  // the dev stack signs: its stack.env names the public key
  nebula::testing::RemoveContainersOfWorker cleanup{Worker()};
  BackgroundProcess agent(
      {stack.bin_dir + "/nebula-worker-agent", "--apps", kApp, "--worker-id", Worker(), "--kafka-brokers",
       stack.kafka_brokers, "--docker-host", stack.docker_host, "--listen", "127.0.0.1:" + std::to_string(TestPort(10)),
       "--trusted-keys", stack.trusted_keys, "--report-interval-seconds", "2"},
      {}, stack.state_dir + "/wa-signed-agent.log");

  // The API's own, signed record is applied.
  auto created = nebula::testing::RunNebula({"apps", "create", kApp, "--image", stack.sample_image, "-o", "json"});
  INFO(created.err);
  REQUIRE(created.exit_code == 0);
  REQUIRE(Eventually([] { return !Running().first.empty(); }, 60s));
  const auto [id, privileged] = Running();
  CHECK(privileged == "false");

  // Full write access to the topic, no key: three ways to try.
  nebula::agent::testing::TestProducer producer(stack.kafka_brokers);
  const std::string key = nebula::AppKey(kApp);
  producer.Send(key, Record(1000, true, stack.sample_image));          // unsigned
  const auto stranger = nebula::signing::GenerateKeyPair("devstack");  // the same key id, another key
  producer.Send(key, nebula::signing::SignRecord(stranger.secret, key, Record(1001, true, stack.sample_image)));
  const auto own = nebula::signing::GenerateKeyPair("attacker");
  producer.Send(key, nebula::signing::SignRecord(own.secret, key, Record(1002, true, stack.sample_image)));
  // A record signed for another key, replayed under this one.
  producer.Send(key, nebula::signing::SignRecord(stranger.secret, "app/other", Record(1003, true, stack.sample_image)));
  producer.Send(key, std::nullopt);  // a tombstone: must not remove the app either

  // Every refusal is reported (the api-manager folds the agent's report) ...
  std::string shown;
  const bool reported = Eventually(
      [&] {
        auto r = nebula::testing::RunNebula({"workers", "get", Worker()});
        shown = r.out;
        return r.exit_code == 0 && shown.find("1003") != std::string::npos;
      },
      30s);
  INFO(shown);
  INFO(agent.LogTail());
  REQUIRE(reported);
  CHECK(shown.find("Refused records of nebula.desired") != std::string::npos);
  CHECK(shown.find("does not trust") != std::string::npos);  // key "attacker"
  CHECK(shown.find("does not match") != std::string::npos);  // id "devstack", another key
  auto reports = nebula::testing::RunNebula({"reports", "get", Worker()});
  CHECK(reports.out.find("Refused records") != std::string::npos);

  // ... and nothing of it ran: the same container, not privileged.
  const auto [id_after, privileged_after] = Running();
  CHECK(id_after == id);
  CHECK(privileged_after == "false");

  // The API's next change still gets through.
  auto updated = nebula::testing::RunNebula({"apps", "update", kApp, "--env", "AFTER=1", "--wait", "--timeout", "60"});
  INFO(updated.err);
  CHECK(updated.exit_code == 0);
  CHECK(Running().first != id);
}
