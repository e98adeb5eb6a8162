#include "worker-agent/docker/engine_http.h"

#include <utility>  // before Asio/Beast (Boost 1.74 + GCC 12)

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <cstdint>
#include <limits>

#include "common/error.h"

namespace nebula::agent {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

namespace {

constexpr auto kConnectTimeout = 5s;
// How often a waiting request looks at its stop flag and deadline.
constexpr auto kPoll = 250ms;

// Why a request got no answer; SendEngineRequest adds dockerd's address and the endpoint.
struct NoAnswer {
  std::string why;
};

std::string Seconds(std::chrono::milliseconds d) {
  return d % 1s == 0ms ? std::to_string(d / 1s) + " s" : std::to_string(d.count()) + " ms";
}

// One request on one connection. Every step is an asynchronous operation run on this thread's own
// io_context, so a step can be given up on (the socket closed) once its deadline passes or the
// stop flag is set.
template <class Socket>
class Exchange {
 public:
  explicit Exchange(const EngineRequest& request) : request_(request), socket_(ioc_) {}

  EngineResponse Run(const std::function<void(Exchange&)>& connect, const std::string& host_header) {
    start_ = Clock::now();
    connect(*this);

    http::request<http::string_body> req{http::string_to_verb(request_.method), request_.target, 11};
    req.set(http::field::host, host_header);
    req.set(http::field::user_agent, "nebula-worker-agent");
    for (const auto& [name, value] : request_.headers) req.set(name, value);
    if (request_.method == "POST") {
      req.set(http::field::content_type, "application/json");
      req.body() = request_.body;
    }
    req.prepare_payload();
    Step("cannot send the request", WholeDeadline(), [&](auto handler) { http::async_write(socket_, req, handler); });

    http::response_parser<http::buffer_body> parser;
    // Streams never end; a list of containers may be large. (Not boost::none: Boost 1.74 then refuses
    // every body with a Content-Length.)
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    boost::beast::flat_buffer buffer;
    Step("the connection broke", ReadDeadline(),
         [&](auto handler) { http::async_read_header(socket_, buffer, parser, handler); });
    EngineResponse response;
    response.status = static_cast<int>(parser.get().result_int());
    if (request_.on_headers) request_.on_headers();

    std::array<char, 16 * 1024> chunk;
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      Step(
          "the connection broke", ReadDeadline(),
          [&](auto handler) { http::async_read_some(socket_, buffer, parser, handler); }, http::error::need_buffer);
      const size_t n = chunk.size() - parser.get().body().size;
      if (n == 0) continue;
      if (request_.on_data) {
        request_.on_data(std::string_view(chunk.data(), n));
      } else {
        response.body.append(chunk.data(), n);
      }
    }
    return response;
  }

  // Runs the operation `start(handler)` to completion. Throws NoAnswer when it fails (an error but
  // `fine`), the deadline passes or the stop flag is set.
  template <class Start>
  void Step(const char* what, Clock::time_point deadline, Start start, error_code fine = {}) {
    bool done = false;
    error_code result;
    start([&](error_code ec, auto&&...) {
      result = ec;
      done = true;
    });
    std::string given_up;
    ioc_.restart();
    while (!done) {
      ioc_.run_for(kPoll);
      if (done || !given_up.empty()) continue;
      if (request_.stop && request_.stop->load()) {
        given_up = "stopped";
      } else if (Clock::now() >= deadline) {
        given_up = request_.timeout > 0ms ? "no answer within " + Seconds(request_.timeout)
                                          : "nothing received for " + Seconds(request_.idle_limit);
        if (std::string_view(what) == "cannot connect") given_up = "cannot connect within " + Seconds(kConnectTimeout);
      } else {
        continue;
      }
      error_code ignored;
      socket_.close(ignored);  // completes the operation with operation_aborted
    }
    if (!given_up.empty()) throw NoAnswer{given_up};
    if (result && result != fine) throw NoAnswer{std::string(what) + ": " + result.message()};
  }

  Clock::time_point ConnectDeadline() const { return std::min(start_ + kConnectTimeout, WholeDeadline()); }

  Socket& socket() { return socket_; }

 private:
  Clock::time_point WholeDeadline() const {
    return request_.timeout > 0ms ? start_ + request_.timeout : Clock::time_point::max();
  }
  Clock::time_point ReadDeadline() const {
    return request_.timeout > 0ms ? WholeDeadline() : Clock::now() + request_.idle_limit;
  }

  const EngineRequest& request_;
  asio::io_context ioc_{1};
  Socket socket_;
  Clock::time_point start_;
};

EngineResponse SendOverUnixSocket(const EngineEndpoint& endpoint, const EngineRequest& request) {
  using Socket = asio::local::stream_protocol::socket;
  Exchange<Socket> exchange(request);
  return exchange.Run(
      [&](Exchange<Socket>& x) {
        const asio::local::stream_protocol::endpoint peer(endpoint.socket_path);
        x.Step("cannot connect", x.ConnectDeadline(), [&](auto handler) { x.socket().async_connect(peer, handler); });
      },
      "localhost");  // dockerd wants a Host header; on a socket any name does
}

EngineResponse SendOverTcp(const EngineEndpoint& endpoint, const EngineRequest& request) {
  using Socket = asio::ip::tcp::socket;
  Exchange<Socket> exchange(request);
  return exchange.Run(
      [&](Exchange<Socket>& x) {
        asio::ip::tcp::resolver resolver(x.socket().get_executor());
        error_code ec;
        const auto peers = resolver.resolve(endpoint.host, endpoint.port, ec);
        if (ec) throw NoAnswer{"cannot resolve " + endpoint.host + ": " + ec.message()};
        x.Step("cannot connect", x.ConnectDeadline(),
               [&](auto handler) { asio::async_connect(x.socket(), peers, handler); });
      },
      endpoint.host + ":" + endpoint.port);
}

}  // namespace

EngineEndpoint ParseEngineEndpoint(const std::string& docker_host) {
  constexpr std::string_view kUnix = "unix://", kTcp = "tcp://";
  EngineEndpoint endpoint;
  endpoint.display = docker_host;
  if (docker_host.rfind(kTcp, 0) == 0) {
    std::string address = docker_host.substr(kTcp.size());
    address = address.substr(0, address.find('/'));
    const auto colon = address.rfind(':');
    const bool has_port = colon != std::string::npos && address.find(']', colon) == std::string::npos;
    endpoint.host = has_port ? address.substr(0, colon) : address;
    endpoint.port = has_port ? address.substr(colon + 1) : "2375";
    if (endpoint.host.size() >= 2 && endpoint.host.front() == '[' && endpoint.host.back() == ']') {
      endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);  // [::1]
    }
    if (!endpoint.host.empty() && !endpoint.port.empty() &&
        endpoint.port.find_first_not_of("0123456789") == std::string::npos) {
      return endpoint;
    }
  } else {
    endpoint.socket_path = docker_host.rfind(kUnix, 0) == 0 ? docker_host.substr(kUnix.size()) : docker_host;
    if (!endpoint.socket_path.empty() && endpoint.socket_path.front() == '/') return endpoint;
  }
  throw Error(ErrorCode::kInvalidArgument,
              "docker host \"" + docker_host + "\": expected unix:///absolute/path or tcp://host:port");
}

EngineResponse SendEngineRequest(const EngineEndpoint& endpoint, const EngineRequest& request) {
  try {
    return endpoint.socket_path.empty() ? SendOverTcp(endpoint, request) : SendOverUnixSocket(endpoint, request);
  } catch (const NoAnswer& e) {
    const std::string path = request.target.substr(0, request.target.find('?'));
    throw Error(ErrorCode::kUnavailable,
                "dockerd at " + endpoint.display + ": " + request.method + " " + path + ": " + e.why);
  }
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const unsigned char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace nebula::agent
