// HTTP/1.1 to dockerd's Engine API (Boost.Beast), over its unix socket or TCP. One connection per
// request, so any number of threads may send at once; nothing is shared between requests.
// The only code of the agent that speaks HTTP: engine_api_client.cpp maps the API onto it.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nebula::agent {

struct EngineEndpoint {
  std::string socket_path;  // unix socket; empty for TCP
  std::string host;         // TCP
  std::string port;         // TCP
  std::string display;      // as the user gave it, for messages
};

// "unix:///var/run/docker.sock", "/var/run/docker.sock" or "tcp://host[:port]" (port 2375, as the
// docker CLI, when missing). Throws nebula::Error(kInvalidArgument) for anything else.
EngineEndpoint ParseEngineEndpoint(const std::string& docker_host);

struct EngineRequest {
  std::string method;  // GET, POST, DELETE
  std::string target;  // path and query, e.g. "/v1.41/containers/json?all=1"
  std::string body;    // POST: sent as application/json
  std::vector<std::pair<std::string, std::string>> headers;
  // The whole exchange, connect to last byte. Zero: no limit (pulls, the event stream), but give up
  // after `idle_limit` without a byte from dockerd.
  std::chrono::milliseconds timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_limit{std::chrono::minutes(5)};
  // Receives the body piece by piece as it arrives (then EngineResponse::body stays empty).
  std::function<void(std::string_view)> on_data;
  // Runs once the response headers arrived (a stream may send no body for a long time).
  std::function<void()> on_headers;
  // When set, the request is abandoned within a quarter of a second (kUnavailable, "stopped").
  const std::atomic<bool>* stop = nullptr;
};

struct EngineResponse {
  int status = 0;
  std::string body;
};

// Any HTTP status is an answer. Throws nebula::Error(kUnavailable, "dockerd at <host>: <METHOD>
// <path>: <why>") when there is none: cannot connect, timed out, connection broke, stopped.
EngineResponse SendEngineRequest(const EngineEndpoint& endpoint, const EngineRequest& request);

// Percent-encodes everything but RFC 3986's unreserved characters (for query values and path parts).
std::string PercentEncode(std::string_view text);

}  // namespace nebula::agent
