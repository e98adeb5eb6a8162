// The agent's gate on nebula.desired: with trusted keys only signed records reach the view, every
// refusal is kept for the report; without keys nothing is verified.
#include "worker-agent/agent/record_gate.h"

#include <catch2/catch.hpp>

#include "nebula/v1/desired_state.pb.h"

namespace sg = nebula::signing;
using nebula::agent::RecordGate;

namespace {

std::string Payload(const std::string& key, int64_t generation, bool privileged = false) {
  nebula::v1::DesiredState state;
  state.set_key(key);
  state.set_generation(generation);
  state.mutable_app()->mutable_spec()->set_privileged(privileged);
  return state.SerializeAsString();
}

}  // namespace

TEST_CASE("a verifying gate admits what a trusted key signed and refuses the rest, reporting why", "[unit]") {
  const auto pair = sg::GenerateKeyPair("prod");
  int rejections_seen = 0;
  RecordGate gate({pair.public_key}, [&] { ++rejections_seen; });
  REQUIRE(gate.verifying());

  const auto signed_value = sg::SignRecord(pair.secret, "app/web", Payload("app/web", 3));
  auto admitted = gate.Admit("app/web", signed_value);
  CHECK(admitted.admitted);
  CHECK(admitted.value == Payload("app/web", 3));

  auto forged = gate.Admit("app/web", Payload("app/web", 101, /*privileged=*/true));
  CHECK_FALSE(forged.admitted);
  CHECK(rejections_seen == 1);
  auto rejections = gate.Rejections();
  REQUIRE(rejections.size() == 1);
  CHECK(rejections[0].key() == "app/web");
  CHECK(rejections[0].claimed_generation() == 101);
  CHECK(rejections[0].reason().find("unsigned") != std::string::npos);
  CHECK(rejections[0].has_time());

  // A tombstone cannot be signed: ignored, not applied, not a rejection either.
  CHECK_FALSE(gate.Admit("app/web", std::nullopt).admitted);
  CHECK(gate.Rejections().size() == 1);
}

TEST_CASE("the gate keeps the newest refusals, a bounded number of them", "[unit]") {
  const auto pair = sg::GenerateKeyPair("prod");
  RecordGate gate({pair.public_key});
  gate.Admit("app/web", Payload("app/web", 5));
  gate.Admit("app/web", Payload("app/web", 6));
  REQUIRE(gate.Rejections().size() == 2);
  CHECK(gate.Rejections()[1].claimed_generation() == 6);
  for (int i = 0; i < 50; ++i) gate.Admit("app/a" + std::to_string(i), Payload("app/a", i + 1));
  const auto kept = gate.Rejections();
  CHECK(kept.size() == RecordGate::kKeptRejections);
  CHECK(kept.back().key() == "app/a49");
}

TEST_CASE("without trusted keys the gate verifies nothing and unwraps signed records", "[unit]") {
  RecordGate gate({});
  CHECK_FALSE(gate.verifying());
  const auto pair = sg::GenerateKeyPair("any");
  CHECK(gate.Admit("app/web", sg::SignRecord(pair.secret, "app/web", Payload("app/web", 2))).value ==
        Payload("app/web", 2));
  CHECK(gate.Admit("app/web", Payload("app/web", 3)).value == Payload("app/web", 3));
  const auto tombstone = gate.Admit("app/web", std::nullopt);
  CHECK(tombstone.admitted);
  CHECK_FALSE(tombstone.value);
  CHECK(gate.Rejections().empty());
}
