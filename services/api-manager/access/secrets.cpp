#include "api-manager/access/secrets.h"

#include <sodium.h>

#include <mutex>
#include <stdexcept>

#include "common/error.h"

namespace nebula::api_manager {
namespace {

void EnsureSodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) throw Error(ErrorCode::kInternal, "libsodium failed to initialize");
  });
}

std::string Hex(const unsigned char* bytes, size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, size);
  out.pop_back();
  return out;
}

std::string RandomHex(size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

}  // namespace

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw Error(ErrorCode::kInternal, "hashing a password failed (out of memory?)");
  return out;
}

bool VerifyPassword(std::string_view stored_hash, std::string_view password) {
  EnsureSodium();
  std::string hash(stored_hash);  // crypto_pwhash_str_verify wants a NUL-terminated string
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

NewToken GenerateToken() {
  EnsureSodium();
  return {RandomHex(12), RandomHex(32)};
}

std::string HashTokenSecret(std::string_view secret) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return Hex(digest, sizeof digest);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  EnsureSodium();
  if (a.size() != b.size()) return false;  // lengths of hex hashes are public
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace nebula::api_manager
