#include "common/signing/record_signature.h"

#include <sodium.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "common/error.h"
#include "nebula/v1/desired_state.pb.h"

namespace nebula::signing {
namespace {

constexpr std::string_view kSecretTag = "ed25519-secret";
constexpr std::string_view kPublicTag = "ed25519";
// Domain separation: a signature made for a nebula.desired record is good for nothing else.
constexpr std::string_view kContext = "nebula.desired/v1";

void EnsureSodium() {
  if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium failed to initialise");
}

bool ValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_ENCODED_LEN(size, sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.find('\0'));
  return out;
}

bool FromBase64(std::string_view text, std::array<unsigned char, 32>& out) {
  size_t length = 0;
  return sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &length, nullptr,
                           sodium_base64_VARIANT_ORIGINAL) == 0 &&
         length == out.size();
}

Error LineError(std::string_view source, int line, const std::string& what) {
  return Error(ErrorCode::kInvalidArgument, std::string(source) + " line " + std::to_string(line) + ": " + what);
}

// Calls visit(tag, id, key, line number) for every key line.
template <typename Visit>
void ForEachKeyLine(std::string_view text, std::string_view source, Visit visit) {
  std::istringstream in{std::string(text)};
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    std::istringstream words(line);
    std::string tag, id, key, extra;
    words >> tag;
    if (tag.empty() || tag[0] == '#') continue;
    words >> id >> key >> extra;
    if (key.empty() || !extra.empty()) throw LineError(source, number, "expected \"<type> <key-id> <base64 key>\"");
    if (!ValidKeyId(id)) throw LineError(source, number, "key id \"" + id + "\" must be 1-64 of A-Z a-z 0-9 . _ -");
    visit(tag, id, key, number);
  }
}

std::string SignedMessage(std::string_view record_key, std::string_view payload) {
  std::string message(kContext);
  message += '\0';
  message += record_key;
  message += '\0';
  message += payload;
  return message;
}

std::string ReadFile(const std::string& path, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kInvalidArgument, "cannot read the " + std::string(what) + " " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string TrustedIds(const std::vector<PublicKey>& trusted) {
  std::string ids;
  for (const auto& key : trusted) ids += (ids.empty() ? "" : ", ") + key.id;
  return ids;
}

}  // namespace

KeyPair GenerateKeyPair(const std::string& id) {
  EnsureSodium();
  if (!ValidKeyId(id))
    throw Error(ErrorCode::kInvalidArgument, "key id \"" + id + "\" must be 1-64 of A-Z a-z 0-9 . _ -");
  KeyPair pair;
  pair.secret.id = id;
  randombytes_buf(pair.secret.seed.data(), pair.secret.seed.size());
  pair.public_key = PublicKeyOf(pair.secret);
  return pair;
}

PublicKey PublicKeyOf(const SigningKey& key) {
  EnsureSodium();
  PublicKey pub{.id = key.id};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
  crypto_sign_seed_keypair(pub.bytes.data(), secret.data(), key.seed.data());
  sodium_memzero(secret.data(), secret.size());
  return pub;
}

std::string FormatSigningKey(const SigningKey& key) {
  return std::string(kSecretTag) + " " + key.id + " " + Base64(key.seed.data(), key.seed.size()) + "\n";
}

std::string FormatPublicKey(const PublicKey& key) {
  return std::string(kPublicTag) + " " + key.id + " " + Base64(key.bytes.data(), key.bytes.size()) + "\n";
}

SigningKey ParseSigningKey(std::string_view text, std::string_view source) {
  std::optional<SigningKey> found;
  ForEachKeyLine(text, source, [&](const std::string& tag, const std::string& id, const std::string& key, int line) {
    if (tag != kSecretTag) throw LineError(source, line, "expected a \"" + std::string(kSecretTag) + "\" line");
    if (found) throw LineError(source, line, "a signing key file holds one key");
    SigningKey parsed{.id = id};
    if (!FromBase64(key, parsed.seed)) throw LineError(source, line, "the key is not 32 bytes of base64");
    found = parsed;
  });
  if (!found) throw Error(ErrorCode::kInvalidArgument, std::string(source) + ": no signing key in it");
  return *found;
}

std::vector<PublicKey> ParsePublicKeys(std::string_view text, std::string_view source) {
  std::vector<PublicKey> keys;
  ForEachKeyLine(text, source, [&](const std::string& tag, const std::string& id, const std::string& key, int line) {
    if (tag != kPublicTag) throw LineError(source, line, "expected an \"" + std::string(kPublicTag) + "\" line");
    PublicKey parsed{.id = id};
    if (!FromBase64(key, parsed.bytes)) throw LineError(source, line, "the key is not 32 bytes of base64");
    for (const auto& other : keys)
      if (other.id == id) throw LineError(source, line, "key id \"" + id + "\" appears twice");
    keys.push_back(parsed);
  });
  if (keys.empty()) throw Error(ErrorCode::kInvalidArgument, std::string(source) + ": no public key in it");
  return keys;
}

SigningKey LoadSigningKey(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) == 0 && (info.st_mode & 077) != 0)
    throw Error(ErrorCode::kInvalidArgument,
                "signing key file " + path + " can be read by others; chmod 600 it (it can publish to every host)");
  return ParseSigningKey(ReadFile(path, "signing key file"), path);
}

std::vector<PublicKey> LoadPublicKeys(const std::string& path) {
  return ParsePublicKeys(ReadFile(path, "trusted key file"), path);
}

std::string SignRecord(const SigningKey& key, std::string_view record_key, std::string_view payload) {
  EnsureSodium();
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pub{};
  std::array<unsigned char, crypto_sign_SECRETKEYBYTES> secret{};
  crypto_sign_seed_keypair(pub.data(), secret.data(), key.seed.data());
  const std::string message = SignedMessage(record_key, payload);
  std::array<unsigned char, crypto_sign_BYTES> signature{};
  crypto_sign_detached(signature.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret.data());
  sodium_memzero(secret.data(), secret.size());
  nebula::v1::SignedRecord record;
  record.set_payload(std::string(payload));
  record.set_key_id(key.id);
  record.set_signature(std::string(reinterpret_cast<const char*>(signature.data()), signature.size()));
  return record.SerializeAsString();
}

OpenedRecord OpenRecord(const std::vector<PublicKey>& trusted, std::string_view record_key, std::string_view value) {
  EnsureSodium();
  nebula::v1::SignedRecord record;
  if (!record.ParseFromArray(value.data(), static_cast<int>(value.size())) || record.payload().empty() ||
      record.signature().empty())
    return {std::nullopt,
            "unsigned: this agent only applies records signed by a key it trusts (" + TrustedIds(trusted) + ")"};
  const PublicKey* key = nullptr;
  for (const auto& candidate : trusted)
    if (candidate.id == record.key_id()) key = &candidate;
  if (!key)
    return {std::nullopt, "signed by key \"" + record.key_id().substr(0, 64) +
                              "\", which this agent does not trust (it trusts " + TrustedIds(trusted) + ")"};
  const std::string message = SignedMessage(record_key, record.payload());
  if (record.signature().size() != crypto_sign_BYTES ||
      crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(record.signature().data()),
                                  reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                  key->bytes.data()) != 0)
    return {std::nullopt, "the signature of key \"" + key->id +
                              "\" does not match: the record was altered, or signed for another key"};
  return {record.payload(), ""};
}

std::string UnwrapUnverified(std::string_view value) {
  nebula::v1::SignedRecord record;
  if (record.ParseFromArray(value.data(), static_cast<int>(value.size())) && !record.payload().empty() &&
      !record.signature().empty())
    return record.payload();
  return std::string(value);
}

}  // namespace nebula::signing
