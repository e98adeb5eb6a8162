// Signed desired state: what verifies, what is refused and why, key files.
#include "common/signing/record_signature.h"

#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/error.h"
#include "nebula/v1/desired_state.pb.h"

namespace sg = nebula::signing;

namespace {

std::string Payload(int64_t generation) {
  nebula::v1::DesiredState state;
  state.set_key("app/web");
  state.set_generation(generation);
  state.mutable_app()->mutable_spec()->set_image("registry.local/web:1");
  return state.SerializeAsString();
}

}  // namespace

TEST_CASE("a record signed by a trusted key opens to its payload", "[unit]") {
  const auto pair = sg::GenerateKeyPair("prod-1");
  const std::string value = sg::SignRecord(pair.secret, "app/web", Payload(3));
  const auto opened = sg::OpenRecord({pair.public_key}, "app/web", value);
  REQUIRE(opened.payload);
  CHECK(*opened.payload == Payload(3));
  CHECK(opened.refusal.empty());
}

TEST_CASE("keys rotate without a flag day: either trusted key verifies", "[unit]") {
  const auto old_key = sg::GenerateKeyPair("2026-old");
  const auto new_key = sg::GenerateKeyPair("2026-new");
  const std::vector<sg::PublicKey> trusted{old_key.public_key, new_key.public_key};
  CHECK(sg::OpenRecord(trusted, "app/web", sg::SignRecord(old_key.secret, "app/web", Payload(1))).payload);
  CHECK(sg::OpenRecord(trusted, "app/web", sg::SignRecord(new_key.secret, "app/web", Payload(2))).payload);
}

TEST_CASE("unsigned, unknown-key, altered and moved records are refused with the reason", "[unit]") {
  const auto pair = sg::GenerateKeyPair("prod-1");
  const std::vector<sg::PublicKey> trusted{pair.public_key};

  SECTION("a bare DesiredState is unsigned") {
    const auto opened = sg::OpenRecord(trusted, "app/web", Payload(101));
    CHECK_FALSE(opened.payload);
    CHECK(opened.refusal.find("unsigned") != std::string::npos);
    CHECK(opened.refusal.find("prod-1") != std::string::npos);
  }
  SECTION("garbage is unsigned") {
    CHECK_FALSE(sg::OpenRecord(trusted, "app/web", std::string("\xff\xfe\x01", 3)).payload);
    CHECK_FALSE(sg::OpenRecord(trusted, "app/web", "").payload);
  }
  SECTION("a key the agent does not trust") {
    const auto stranger = sg::GenerateKeyPair("prod-1-lookalike");
    const auto opened = sg::OpenRecord(trusted, "app/web", sg::SignRecord(stranger.secret, "app/web", Payload(1)));
    CHECK_FALSE(opened.payload);
    CHECK(opened.refusal.find("does not trust") != std::string::npos);
  }
  SECTION("the right key id with another key's signature") {
    auto forger = sg::GenerateKeyPair("prod-1");  // same id, different key
    const auto opened = sg::OpenRecord(trusted, "app/web", sg::SignRecord(forger.secret, "app/web", Payload(1)));
    CHECK_FALSE(opened.payload);
    CHECK(opened.refusal.find("does not match") != std::string::npos);
  }
  SECTION("an altered payload") {
    nebula::v1::SignedRecord record;
    REQUIRE(record.ParseFromString(sg::SignRecord(pair.secret, "app/web", Payload(1))));
    nebula::v1::DesiredState state;
    REQUIRE(state.ParseFromString(record.payload()));
    state.mutable_app()->mutable_spec()->set_privileged(true);
    record.set_payload(state.SerializeAsString());
    const auto opened = sg::OpenRecord(trusted, "app/web", record.SerializeAsString());
    CHECK_FALSE(opened.payload);
    CHECK(opened.refusal.find("does not match") != std::string::npos);
  }
  SECTION("a record moved to another key") {
    const std::string value = sg::SignRecord(pair.secret, "app/web", Payload(1));
    CHECK_FALSE(sg::OpenRecord(trusted, "app/db", value).payload);
  }
}

TEST_CASE("without trusted keys a signed record is unwrapped unverified, a bare one passes as it is", "[unit]") {
  const auto pair = sg::GenerateKeyPair("k");
  CHECK(sg::UnwrapUnverified(sg::SignRecord(pair.secret, "app/web", Payload(4))) == Payload(4));
  CHECK(sg::UnwrapUnverified(Payload(4)) == Payload(4));
}

TEST_CASE("key files round-trip and say which line is wrong", "[unit]") {
  const auto pair = sg::GenerateKeyPair("edge.eu-1");
  const auto secret = sg::ParseSigningKey("# made by nebula keys generate\n" + sg::FormatSigningKey(pair.secret), "s");
  CHECK(secret.id == "edge.eu-1");
  CHECK(secret.seed == pair.secret.seed);
  CHECK(sg::PublicKeyOf(secret).bytes == pair.public_key.bytes);
  const auto other = sg::GenerateKeyPair("other");
  const auto keys =
      sg::ParsePublicKeys(sg::FormatPublicKey(pair.public_key) + "\n" + sg::FormatPublicKey(other.public_key), "p");
  REQUIRE(keys.size() == 2);
  CHECK(keys[1].id == "other");

  auto message = [](auto&& parse) {
    try {
      parse();
    } catch (const nebula::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message([] { sg::ParsePublicKeys("ed25519 a AAAA\n", "keys.pub"); }).find("keys.pub line 1") !=
        std::string::npos);
  CHECK(message([] { sg::ParsePublicKeys("\n\nrsa a b\n", "keys.pub"); }).find("line 3") != std::string::npos);
  CHECK(message([] { sg::ParsePublicKeys("ed25519 bad/id x\n", "f"); }).find("key id") != std::string::npos);
  CHECK(message([] { sg::ParsePublicKeys("# nothing\n", "f"); }).find("no public key") != std::string::npos);
  CHECK(message([&] {
          sg::ParsePublicKeys(sg::FormatPublicKey(pair.public_key) + sg::FormatPublicKey(pair.public_key), "f");
        }).find("twice") != std::string::npos);
  CHECK(message([&] { sg::ParseSigningKey(sg::FormatPublicKey(pair.public_key), "f"); }).find("ed25519-secret") !=
        std::string::npos);
  CHECK_THROWS_AS(sg::GenerateKeyPair("no spaces"), nebula::Error);
}

TEST_CASE("a secret key file others can read is refused", "[unit]") {
  const auto pair = sg::GenerateKeyPair("k");
  const std::string path = std::filesystem::temp_directory_path() / ("nebula-key-" + std::to_string(::getpid()));
  std::ofstream(path) << sg::FormatSigningKey(pair.secret);
  ::chmod(path.c_str(), 0644);
  CHECK_THROWS_WITH(sg::LoadSigningKey(path), Catch::Contains("chmod 600"));
  ::chmod(path.c_str(), 0600);
  CHECK(sg::LoadSigningKey(path).id == "k");
  std::remove(path.c_str());
}
