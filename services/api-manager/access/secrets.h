// The cryptography of credentials, over libsodium: argon2id password hashes, random token ids and
// secrets from the OS CSPRNG, SHA-256 token hashes and constant-time comparison.
#pragma once

#include <string>
#include <string_view>

namespace nebula::api_manager {

// An argon2id hash in the PHC string format ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"), salted.
// Slow on purpose (~0.1 s, 64 MiB): call it only on a cache miss.
std::string HashPassword(std::string_view password);
// False for a wrong password and for a hash this code cannot read.
bool VerifyPassword(std::string_view stored_hash, std::string_view password);

struct NewToken {
  std::string id;      // 24 lowercase hex characters (96 random bits)
  std::string secret;  // 64 lowercase hex characters (256 random bits)
  std::string Text() const { return id + "." + secret; }
};
NewToken GenerateToken();

// Hex SHA-256 of a token secret. The secret carries 256 random bits, so a fast hash is enough (no
// dictionary to attack); bootstrap secrets chosen by an operator must be at least 32 characters.
std::string HashTokenSecret(std::string_view secret);

// Compares without an early exit, so the time taken says nothing about where two hashes differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace nebula::api_manager
