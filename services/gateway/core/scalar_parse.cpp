#include "gateway/core/scalar_parse.h"

#include <google/protobuf/descriptor.h>

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace nebula::gateway {
namespace {

namespace pb = google::protobuf;
using FD = pb::FieldDescriptor;

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

// strconv.ParseInt/ParseUint with base 10: optional sign (ParseInt only), then digits only.
std::optional<std::string> ParseInteger(std::string_view text, bool is_signed, int bits, std::int64_t& s,
                                        std::uint64_t& u) {
  const std::string fn = is_signed ? "strconv.ParseInt" : "strconv.ParseUint";
  const std::string syntax = fn + ": parsing " + Quote(text) + ": invalid syntax";
  const std::string range = fn + ": parsing " + Quote(text) + ": value out of range";
  std::string_view digits = text;
  bool negative = false;
  if (is_signed && !digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty()) return syntax;
  std::uint64_t value = 0;
  bool overflow = false;
  for (char c : digits) {
    if (c < '0' || c > '9') return syntax;
    const unsigned d = static_cast<unsigned>(c - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - d) / 10) overflow = true;
    if (!overflow) value = value * 10 + d;
  }
  if (overflow) return range;
  if (is_signed) {
    const std::uint64_t limit = std::uint64_t{1} << (bits - 1);
    if (negative ? value > limit : value >= limit) return range;
    s = negative ? static_cast<std::int64_t>(0 - value) : static_cast<std::int64_t>(value);
  } else {
    if (bits < 64 && value >= (std::uint64_t{1} << bits)) return range;
    u = value;
  }
  return std::nullopt;
}

std::optional<std::string> ParseFloat(const std::string& text, int bits, double& out) {
  const std::string syntax = "strconv.ParseFloat: parsing " + Quote(text) + ": invalid syntax";
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0]))) return syntax;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size()) return syntax;
  if (std::isnan(out) || std::isinf(out)) {
    // Go accepts only "inf", "infinity" and "nan" (any case, optional sign) as non-finite spellings.
    return std::nullopt;
  }
  if ((errno == ERANGE && std::fabs(out) > 1) ||
      (bits == 32 && std::fabs(out) > static_cast<double>(std::numeric_limits<float>::max()))) {
    return "strconv.ParseFloat: parsing " + Quote(text) + ": value out of range";
  }
  return std::nullopt;
}

std::optional<std::string> DecodeBase64With(std::string_view text, std::string_view alphabet) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '=') {
      if (i + 2 < text.size()) return std::nullopt;
      ++pad;
      continue;
    }
    if (pad > 0) return std::nullopt;
    const std::size_t v = alphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

constexpr std::string_view kStd = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool IsValidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0)
      n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
      n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
      n = 3, cp = c & 0x07;
    else
      return false;
    if (i + n >= s.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n + 1;
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::optional<std::string> DecodeBase64(std::string_view text) {
  if (auto v = DecodeBase64With(text, kStd)) return v;
  return DecodeBase64With(text, kUrl);
}

std::string EncodeBase64(std::string_view bytes) {
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                            (static_cast<unsigned char>(bytes[i + 1]) << 8) | static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out.push_back(kStd[(v >> s) & 63]);
  }
  if (i + 1 == bytes.size()) {
    const std::uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kStd[(v >> 18) & 63], kStd[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const std::uint32_t v =
        (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kStd[(v >> 18) & 63], kStd[(v >> 12) & 63], kStd[(v >> 6) & 63], '='};
  }
  return out;
}

std::optional<std::string> QueryUnescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = HexValue(text[i + 1]);
      const int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

std::optional<std::pair<std::int64_t, std::int32_t>> ParseGoDuration(std::string_view text) {
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") return std::pair<std::int64_t, std::int32_t>{0, 0};
  if (s.empty()) return std::nullopt;
  long double total_nanos = 0;
  while (!s.empty()) {
    std::size_t i = 0;
    long double number = 0;
    bool digits = false;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') number = number * 10 + (s[i++] - '0'), digits = true;
    if (i < s.size() && s[i] == '.') {
      ++i;
      long double scale = 0.1L;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') number += (s[i++] - '0') * scale, scale /= 10, digits = true;
    }
    if (!digits) return std::nullopt;
    std::size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    const std::string_view unit = s.substr(i, u - i);
    long double factor = 0;
    if (unit == "ns")
      factor = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs")
      factor = 1e3L;
    else if (unit == "ms")
      factor = 1e6L;
    else if (unit == "s")
      factor = 1e9L;
    else if (unit == "m")
      factor = 60e9L;
    else if (unit == "h")
      factor = 3600e9L;
    else
      return std::nullopt;
    total_nanos += number * factor;
    s.remove_prefix(u);
  }
  if (total_nanos > 9223372036854775807.0L) return std::nullopt;  // Go's Duration is int64 nanoseconds
  auto nanos = static_cast<std::int64_t>(total_nanos + 0.5L);
  if (negative) nanos = -nanos;
  return std::pair<std::int64_t, std::int32_t>{nanos / 1000000000, static_cast<std::int32_t>(nanos % 1000000000)};
}

std::optional<std::string> SetScalarFromString(pb::Message& message, const FD& field, const std::string& value,
                                               bool add) {
  const pb::Reflection& r = *message.GetReflection();
  std::int64_t s = 0;
  std::uint64_t u = 0;
  double d = 0;
  switch (field.cpp_type()) {
    case FD::CPPTYPE_BOOL: {
      bool b;
      if (value == "1" || value == "t" || value == "T" || value == "TRUE" || value == "true" || value == "True") {
        b = true;
      } else if (value == "0" || value == "f" || value == "F" || value == "FALSE" || value == "false" ||
                 value == "False") {
        b = false;
      } else {
        return "strconv.ParseBool: parsing " + Quote(value) + ": invalid syntax";
      }
      add ? r.AddBool(&message, &field, b) : r.SetBool(&message, &field, b);
      return std::nullopt;
    }
    case FD::CPPTYPE_ENUM: {
      const pb::EnumValueDescriptor* ev = field.enum_type()->FindValueByName(value);
      if (ev == nullptr) {
        if (ParseInteger(value, true, 32, s, u)) return Quote(value) + " is not a valid value";
        ev = field.enum_type()->FindValueByNumber(static_cast<int>(s));
        if (ev == nullptr) return Quote(value) + " is not a valid value";
      }
      add ? r.AddEnumValue(&message, &field, ev->number()) : r.SetEnumValue(&message, &field, ev->number());
      return std::nullopt;
    }
    case FD::CPPTYPE_INT32:
      if (auto e = ParseInteger(value, true, 32, s, u)) return e;
      add ? r.AddInt32(&message, &field, static_cast<std::int32_t>(s))
          : r.SetInt32(&message, &field, static_cast<std::int32_t>(s));
      return std::nullopt;
    case FD::CPPTYPE_INT64:
      if (auto e = ParseInteger(value, true, 64, s, u)) return e;
      add ? r.AddInt64(&message, &field, s) : r.SetInt64(&message, &field, s);
      return std::nullopt;
    case FD::CPPTYPE_UINT32:
      if (auto e = ParseInteger(value, false, 32, s, u)) return e;
      add ? r.AddUInt32(&message, &field, static_cast<std::uint32_t>(u))
          : r.SetUInt32(&message, &field, static_cast<std::uint32_t>(u));
      return std::nullopt;
    case FD::CPPTYPE_UINT64:
      if (auto e = ParseInteger(value, false, 64, s, u)) return e;
      add ? r.AddUInt64(&message, &field, u) : r.SetUInt64(&message, &field, u);
      return std::nullopt;
    case FD::CPPTYPE_FLOAT:
      if (auto e = ParseFloat(value, 32, d)) return e;
      add ? r.AddFloat(&message, &field, static_cast<float>(d)) : r.SetFloat(&message, &field, static_cast<float>(d));
      return std::nullopt;
    case FD::CPPTYPE_DOUBLE:
      if (auto e = ParseFloat(value, 64, d)) return e;
      add ? r.AddDouble(&message, &field, d) : r.SetDouble(&message, &field, d);
      return std::nullopt;
    case FD::CPPTYPE_STRING: {
      std::string text = value;
      if (field.type() == FD::TYPE_STRING && !IsValidUtf8(value)) {
        return "invalid UTF-8 in " + Quote(field.name());
      }
      if (field.type() == FD::TYPE_BYTES) {
        std::optional<std::string> bytes = DecodeBase64(value);
        if (!bytes) return "illegal base64 data in " + Quote(value);
        text = std::move(*bytes);
      }
      add ? r.AddString(&message, &field, std::move(text)) : r.SetString(&message, &field, std::move(text));
      return std::nullopt;
    }
    case FD::CPPTYPE_MESSAGE: break;
  }
  return "unsupported field type of " + Quote(field.full_name());
}

}  // namespace nebula::gateway
