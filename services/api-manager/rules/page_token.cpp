#include "api-manager/rules/page_token.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "common/error.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kVersion = "n1:";  // token format version
constexpr size_t kMaxIdLength = 253;
constexpr size_t kMaxTokenLength = ((kVersion.size() + kMaxIdLength) * 8 + 5) / 6;  // base64url, no padding

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

bool Base64UrlDecode(std::string_view in, std::string& out) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (size_t i = 0; i < kAlphabet.size(); ++i) value[static_cast<unsigned char>(kAlphabet[i])] = int(i);
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : in) {
    if (value[c] < 0) return false;
    buffer = (buffer << 6) | uint32_t(value[c]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xff);
    }
  }
  return bits < 6 && (buffer & ((1u << bits) - 1)) == 0;  // no stray bits: canonical encoding only
}

Error BadToken(std::string_view list) {
  return InvalidArgument(
      {{"page_token", "is not a token this server issued; pass next_page_token from the previous " + std::string(list) +
                          " response unchanged, or leave it empty for the first page"}});
}

}  // namespace

std::string EncodePageToken(std::string_view last_name) {
  return Base64UrlEncode(std::string(kVersion) + std::string(last_name));
}

std::string DecodeIdPageToken(std::string_view token, std::string_view list) {
  if (token.empty()) return "";
  std::string decoded;
  if (token.size() > kMaxTokenLength || !Base64UrlDecode(token, decoded) || decoded.rfind(kVersion, 0) != 0)
    throw BadToken(list);
  std::string id = decoded.substr(kVersion.size());
  if (id.empty() || id.size() > kMaxIdLength ||
      std::any_of(id.begin(), id.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    throw BadToken(list);
  return id;
}

std::string DecodePageToken(std::string_view token, std::string_view list) {
  std::string name = DecodeIdPageToken(token, list);
  if (!name.empty() && DnsLabelProblem(name)) throw BadToken(list);
  return name;
}

}  // namespace nebula::api_manager
