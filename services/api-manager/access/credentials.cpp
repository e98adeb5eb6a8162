#include "api-manager/access/credentials.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/error.h"

namespace nebula::api_manager {
namespace {

constexpr std::string_view kBase64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kExpectedForms =
    "send \"authorization: Bearer <token id>.<secret>\" or \"authorization: Basic <base64 of user:password>\"";

Error Unauthenticated(const std::string& what) { return Error(ErrorCode::kUnauthenticated, what); }

bool IsTokenChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<TokenCredential> ParseTokenText(std::string_view text) {
  const size_t dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::string_view id = text.substr(0, dot);
  std::string_view secret = text.substr(dot + 1);
  if (id.empty() || id.size() > kMaxTokenIdLength || secret.empty() || secret.size() > kMaxTokenSecretLength)
    return std::nullopt;
  if (!std::all_of(id.begin(), id.end(), IsTokenChar) || !std::all_of(secret.begin(), secret.end(), IsTokenChar))
    return std::nullopt;
  return TokenCredential{std::string(id), std::string(secret)};
}

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::array<int, 256> value{};
  value.fill(-1);
  for (size_t i = 0; i < kBase64Alphabet.size(); ++i) value[static_cast<unsigned char>(kBase64Alphabet[i])] = int(i);
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  std::string_view body = text.substr(0, text.size() - padding);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : body) {
    if (value[c] < 0) return std::nullopt;
    buffer = (buffer << 6) | uint32_t(value[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xff);
    }
  }
  // Leftover bits must be zero padding, and the '=' count must match them (canonical encoding only).
  if ((buffer & ((1u << bits) - 1)) != 0) return std::nullopt;
  if (bits == 6 || (bits == 0 && padding != 0) || (bits == 2 && padding != 1) || (bits == 4 && padding != 2))
    return std::nullopt;
  return out;
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kBase64Alphabet[(n >> shift) & 0x3f];
  }
  size_t rest = bytes.size() - i;
  if (rest == 1) {
    uint32_t n = uint32_t(uint8_t(bytes[i])) << 16;
    out += kBase64Alphabet[(n >> 18) & 0x3f];
    out += kBase64Alphabet[(n >> 12) & 0x3f];
    out += "==";
  } else if (rest == 2) {
    uint32_t n = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kBase64Alphabet[(n >> 18) & 0x3f];
    out += kBase64Alphabet[(n >> 12) & 0x3f];
    out += kBase64Alphabet[(n >> 6) & 0x3f];
    out += '=';
  }
  return out;
}

Credential ParseAuthorization(std::string_view authorization) {
  std::string_view value = Trim(authorization);
  if (value.empty()) throw Unauthenticated("no credential: " + std::string(kExpectedForms));
  const size_t space = value.find(' ');
  std::string_view scheme = value.substr(0, space);
  std::string_view rest = space == std::string_view::npos ? std::string_view() : Trim(value.substr(space + 1));
  if (EqualsIgnoreCase(scheme, "bearer")) {
    if (rest.empty())
      throw Unauthenticated("malformed credential: the Bearer scheme has no token; " + std::string(kExpectedForms));
    auto token = ParseTokenText(rest);
    if (!token)
      throw Unauthenticated(
          "malformed credential: a bearer token has the form <token id>.<secret> (letters, digits, "
          "'-' and '_' on both sides of one '.'); use the secret CreateToken returned, unchanged");
    return *token;
  }
  if (EqualsIgnoreCase(scheme, "basic")) {
    if (rest.empty())
      throw Unauthenticated("malformed credential: the Basic scheme has no user:password; " +
                            std::string(kExpectedForms));
    auto decoded = DecodeBase64(rest);
    if (!decoded) throw Unauthenticated("malformed credential: the Basic credential is not valid base64");
    const size_t colon = decoded->find(':');
    if (colon == std::string::npos)
      throw Unauthenticated("malformed credential: the Basic credential must decode to user:password (no ':' found)");
    PasswordCredential credential{decoded->substr(0, colon), decoded->substr(colon + 1)};
    if (credential.user.empty())
      throw Unauthenticated("malformed credential: the Basic credential has an empty user name");
    if (credential.password.size() > kMaxPasswordLength)
      throw Unauthenticated("malformed credential: the password is longer than " + std::to_string(kMaxPasswordLength) +
                            " bytes");
    return credential;
  }
  // The scheme is not shown: a client that sent a bare secret would see it echoed.
  throw Unauthenticated("malformed credential: unknown authorization scheme; " + std::string(kExpectedForms));
}

}  // namespace nebula::api_manager
