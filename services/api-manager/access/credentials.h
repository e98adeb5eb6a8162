// Parsing the "authorization" metadata value (docs/architecture.md "Security"). Pure: no store, no crypto. Every
// failure is a nebula::Error(kUnauthenticated) whose message says what is wrong with the credential's shape and never
// repeats the secret.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace nebula::api_manager {

// "<id>.<secret>": the id is public (the lookup key), the secret is compared against a stored hash.
struct TokenCredential {
  std::string id;
  std::string secret;
  bool operator==(const TokenCredential&) const = default;
};

struct PasswordCredential {
  std::string user;
  std::string password;
  bool operator==(const PasswordCredential&) const = default;
};

using Credential = std::variant<TokenCredential, PasswordCredential>;

inline constexpr size_t kMaxTokenIdLength = 64;
inline constexpr size_t kMaxTokenSecretLength = 256;
inline constexpr size_t kMaxPasswordLength = 1024;

// "Bearer <id>.<secret>" or "Basic <base64(user:password)>" (scheme case-insensitive, RFC 7235).
// Throws nebula::Error(kUnauthenticated) for an empty value ("no credential") or a malformed one.
Credential ParseAuthorization(std::string_view authorization);

// "<id>.<secret>", each part 1+ characters of [A-Za-z0-9_-]; nullopt if it is not that shape.
std::optional<TokenCredential> ParseTokenText(std::string_view text);

// Standard base64 (RFC 4648 §4, padding required); nullopt for anything else.
std::optional<std::string> DecodeBase64(std::string_view text);
std::string EncodeBase64(std::string_view bytes);

}  // namespace nebula::api_manager
