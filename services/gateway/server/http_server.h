// The HTTP/1.1 side: an asynchronous Boost.Beast server. A few io_context threads serve every
// connection (no thread per connection); each connection lives on its own strand. Keep-alive,
// request size limit, header/body/write timeouts, optional TLS. Requests on one connection are
// answered in order; the next one is read only after the previous answer is written.
#pragma once

#include <utility>  // before Asio/Beast (Boost 1.74 + GCC 12)

#include <boost/asio/io_context.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace nebula::gateway {

namespace http = boost::beast::http;

struct HttpRequest {
  http::request<http::string_body> message;
  std::string remote_ip;
};

// One request's answer. Every method may be called from any thread (they post to the connection's
// strand). Either Reply once, or BeginStream, WriteChunk…, EndStream.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void Reply(http::response<http::string_body> response) = 0;
  // `done(ok)` runs once the bytes are written (ok=false: the client is gone or timed out).
  virtual void BeginStream(http::response<http::empty_body> head, std::function<void(bool)> done) = 0;
  virtual void WriteChunk(std::string data, std::function<void(bool)> done) = 0;
  virtual void EndStream() = 0;
};

using HttpHandler = std::function<void(HttpRequest&, std::shared_ptr<Exchange>)>;

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  int threads = 2;
  std::uint64_t body_limit = 4 * 1024 * 1024;     // larger bodies: 413
  std::uint32_t header_limit = 64 * 1024;         // larger headers: 431
  std::chrono::milliseconds idle_timeout{60000};  // waiting for (the header of) the next request
  std::chrono::milliseconds read_timeout{30000};  // reading a body / writing an answer
  std::string tls_cert_file;                      // both set: HTTPS
  std::string tls_key_file;
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the threads; throws nebula::Error if the address cannot be bound or TLS files
  // cannot be loaded.
  void Start();
  // The bound port (useful with port 0).
  std::uint16_t port() const { return bound_port_; }
  void Stop();

  std::int64_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t bound_port_ = 0;
};

}  // namespace nebula::gateway
