// Signed desired state (docs/architecture.md "Trust"). Whoever can write nebula.desired could otherwise
// run any container on every host, so a signing api-manager wraps every record's DesiredState in a
// SignedRecord (Ed25519, libsodium), naming the key that signed it; agents trust a list of public keys
// (several at once, so keys rotate without a flag day) and refuse, with the reason, any record that is
// unsigned, signed by a key they do not trust, or altered. The signature covers the record key too, so a
// record cannot be replayed under another key; replays of an old record under its own key are harmless
// (agents ignore generations that are not newer).
//
// Key files, one key per line, '#' comments and blank lines allowed:
//   secret (api-manager, owner-only permissions):  ed25519-secret <key-id> <base64 32-byte seed>
//   public (agents):                               ed25519 <key-id> <base64 32-byte public key>
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nebula::signing {

struct SigningKey {
  std::string id;
  std::array<unsigned char, 32> seed{};
};

struct PublicKey {
  std::string id;
  std::array<unsigned char, 32> bytes{};
};

struct KeyPair {
  SigningKey secret;
  PublicKey public_key;
};

// A fresh key pair from the system's CSPRNG. Key ids: 1-64 of [A-Za-z0-9._-].
KeyPair GenerateKeyPair(const std::string& id);
PublicKey PublicKeyOf(const SigningKey& key);

std::string FormatSigningKey(const SigningKey& key);  // one line, with its newline
std::string FormatPublicKey(const PublicKey& key);

// Throw nebula::Error(kInvalidArgument) naming the source and line of what is wrong.
SigningKey ParseSigningKey(std::string_view text, std::string_view source);
std::vector<PublicKey> ParsePublicKeys(std::string_view text, std::string_view source);
// Also refuses a secret key file that its group or others can read.
SigningKey LoadSigningKey(const std::string& path);
std::vector<PublicKey> LoadPublicKeys(const std::string& path);

// The record's value: a serialized SignedRecord over payload (a serialized DesiredState).
std::string SignRecord(const SigningKey& key, std::string_view record_key, std::string_view payload);

struct OpenedRecord {
  std::optional<std::string> payload;  // the verified DesiredState bytes, or nullopt
  std::string refusal;                 // why not, when !payload: one line for logs and reports
};

// Verifies value (a record's bytes) against the trusted keys.
OpenedRecord OpenRecord(const std::vector<PublicKey>& trusted, std::string_view record_key, std::string_view value);

// For an agent that trusts no keys (verification off, logged at start): a SignedRecord's payload unverified,
// anything else as it is.
std::string UnwrapUnverified(std::string_view value);

}  // namespace nebula::signing
