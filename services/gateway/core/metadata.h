// HTTP headers ↔ gRPC metadata the way grpc-gateway v2 maps them (runtime/context.go annotateContext,
// runtime/mux.go DefaultHeaderMatcher). Pure.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace nebula::gateway {

struct Header {
  std::string name;  // as received
  std::string value;

  bool operator==(const Header&) const = default;
};

using Metadata = std::vector<std::pair<std::string, std::string>>;

struct IncomingCall {
  Metadata metadata;
  std::optional<std::chrono::nanoseconds> timeout;  // from Grpc-Timeout
};

// Authorization → authorization; Grpc-Metadata-<k> → <k> ("-bin" values base64-decoded); permanent
// HTTP headers (Accept, User-Agent, Authorization, …) → grpcgateway-<header>; x-forwarded-host from
// X-Forwarded-Host or Host; x-forwarded-for extended with `remote_ip`. Keys or values gRPC cannot
// carry are skipped. An error text (→ 400) for a bad Grpc-Timeout or "-bin" value.
std::variant<IncomingCall, std::string> MapIncomingHeaders(const std::vector<Header>& headers, std::string_view host,
                                                           std::string_view remote_ip);

// gRPC's timeout format: digits then one of H M S m u n.
std::optional<std::chrono::nanoseconds> ParseGrpcTimeout(std::string_view text);

// Server header metadata → response headers "Grpc-Metadata-<key>" (binary values base64-encoded).
std::vector<Header> OutgoingHeaders(const Metadata& server_metadata);

}  // namespace nebula::gateway
