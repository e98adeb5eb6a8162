#include "gateway/core/metadata.h"

#include <algorithm>
#include <cctype>

#include "gateway/core/scalar_parse.h"

namespace nebula::gateway {
namespace {

// net/textproto.CanonicalMIMEHeaderKey for the common (valid token) case: "x-foo-bar" → "X-Foo-Bar".
std::string Canonical(std::string_view name) {
  std::string out(name);
  bool upper = true;
  for (char& c : out) {
    if (c == ' ' || static_cast<unsigned char>(c) > 0x7e) return std::string(name);
    c = upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
              : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    upper = c == '-';
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsPermanentHeader(const std::string& canonical) {
  static const char* const kPermanent[] = {"Accept",
                                           "Accept-Charset",
                                           "Accept-Language",
                                           "Accept-Ranges",
                                           "Authorization",
                                           "Cache-Control",
                                           "Content-Type",
                                           "Cookie",
                                           "Date",
                                           "Expect",
                                           "From",
                                           "Host",
                                           "If-Match",
                                           "If-Modified-Since",
                                           "If-None-Match",
                                           "If-Schedule-Tag-Match",
                                           "If-Unmodified-Since",
                                           "Max-Forwards",
                                           "Origin",
                                           "Pragma",
                                           "Referer",
                                           "User-Agent",
                                           "Via",
                                           "Warning"};
  return std::any_of(std::begin(kPermanent), std::end(kPermanent), [&](const char* h) { return canonical == h; });
}

bool IsValidKey(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

bool IsValidTextValue(std::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= 0x20 && c <= 0x7e; });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::optional<std::chrono::nanoseconds> ParseGrpcTimeout(std::string_view text) {
  if (text.size() < 2 || text.size() > 9) return std::nullopt;
  std::int64_t value = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  using namespace std::chrono;
  switch (text.back()) {
    case 'H': return duration_cast<nanoseconds>(hours(value));
    case 'M': return duration_cast<nanoseconds>(minutes(value));
    case 'S': return duration_cast<nanoseconds>(seconds(value));
    case 'm': return duration_cast<nanoseconds>(milliseconds(value));
    case 'u': return duration_cast<nanoseconds>(microseconds(value));
    case 'n': return nanoseconds(value);
    default: return std::nullopt;
  }
}

std::variant<IncomingCall, std::string> MapIncomingHeaders(const std::vector<Header>& headers, std::string_view host,
                                                           std::string_view remote_ip) {
  IncomingCall call;
  std::string forwarded_for;
  std::string forwarded_host;
  constexpr std::string_view kPrefix = "Grpc-Metadata-";
  for (const Header& header : headers) {
    const std::string key = Canonical(header.name);
    if (key == "X-Forwarded-For") {
      if (forwarded_for.empty()) forwarded_for = header.value;
      continue;
    }
    if (key == "X-Forwarded-Host") {
      if (forwarded_host.empty()) forwarded_host = header.value;
      continue;
    }
    if (key == "Grpc-Timeout") {
      call.timeout = ParseGrpcTimeout(header.value);
      if (!call.timeout) return "invalid grpc-timeout: " + header.value;
      continue;
    }
    if (key == "Host") continue;  // Go keeps Host out of req.Header
    std::string value = header.value;
    if (key == "Authorization") call.metadata.emplace_back("authorization", value);
    std::string mapped;
    if (IsPermanentHeader(key)) {
      mapped = "grpcgateway-" + Lower(key);
    } else if (key.size() > kPrefix.size() && key.compare(0, kPrefix.size(), kPrefix) == 0) {
      mapped = Lower(key.substr(kPrefix.size()));
    } else {
      continue;
    }
    if (!IsValidKey(mapped)) continue;
    if (EndsWith(key, "-Bin")) {
      std::string padded = value;
      while (padded.size() % 4 != 0) padded.push_back('=');
      std::optional<std::string> decoded = DecodeBase64(padded);
      if (!decoded) return "invalid binary header " + key;
      value = std::move(*decoded);
    } else if (!IsValidTextValue(value)) {
      continue;
    }
    call.metadata.emplace_back(std::move(mapped), std::move(value));
  }
  if (!forwarded_host.empty()) {
    call.metadata.emplace_back("x-forwarded-host", forwarded_host);
  } else if (!host.empty()) {
    call.metadata.emplace_back("x-forwarded-host", std::string(host));
  }
  if (!remote_ip.empty()) {
    call.metadata.emplace_back("x-forwarded-for", forwarded_for.empty()
                                                      ? std::string(remote_ip)
                                                      : forwarded_for + ", " + std::string(remote_ip));
  }
  // gRPC rejects text values it cannot carry; drop forwarded values that are not printable ASCII.
  std::erase_if(call.metadata,
                [](const auto& kv) { return !EndsWith(kv.first, "-bin") && !IsValidTextValue(kv.second); });
  return call;
}

std::vector<Header> OutgoingHeaders(const Metadata& server_metadata) {
  std::vector<Header> out;
  for (const auto& [key, value] : server_metadata) {
    out.push_back({"Grpc-Metadata-" + key, EndsWith(key, "-bin") ? EncodeBase64(value) : value});
  }
  return out;
}

}  // namespace nebula::gateway
