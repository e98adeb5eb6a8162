#include "gateway/server/http_server.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <type_traits>

#include "common/error.h"

namespace nebula::gateway {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

struct ServerState {
  HttpServerOptions options;
  HttpHandler handler;
  std::atomic<std::int64_t> connections{0};
};

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  Session(Stream stream, std::shared_ptr<ServerState> state, std::string remote_ip)
      : stream_(std::move(stream)), state_(std::move(state)), remote_ip_(std::move(remote_ip)) {
    ++state_->connections;
  }
  ~Session() { --state_->connections; }

  void Run() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      Lowest().expires_after(state_->options.read_timeout);
      stream_.async_handshake(ssl::stream_base::server, [self = this->shared_from_this()](beast::error_code ec) {
        if (ec) return self->Close();
        self->ReadNext();
      });
    } else {
      ReadNext();
    }
  }

 private:
  class SessionExchange final : public Exchange {
   public:
    explicit SessionExchange(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    void Reply(http::response<http::string_body> response) override {
      auto s = session_;
      net::post(s->stream_.get_executor(), [s, r = std::move(response)]() mutable { s->WriteReply(std::move(r)); });
    }
    void BeginStream(http::response<http::empty_body> head, std::function<void(bool)> done) override {
      auto s = session_;
      net::post(s->stream_.get_executor(),
                [s, h = std::move(head), d = std::move(done)]() mutable { s->WriteHead(std::move(h), std::move(d)); });
    }
    void WriteChunk(std::string data, std::function<void(bool)> done) override {
      auto s = session_;
      net::post(s->stream_.get_executor(), [s, b = std::move(data), d = std::move(done)]() mutable {
        s->WriteBodyChunk(std::move(b), std::move(d));
      });
    }
    void EndStream() override {
      auto s = session_;
      net::post(s->stream_.get_executor(), [s] { s->WriteLastChunk(); });
    }

   private:
    std::shared_ptr<Session> session_;
  };

  beast::tcp_stream& Lowest() { return beast::get_lowest_layer(stream_); }

  void ReadNext() {
    parser_.emplace();
    parser_->body_limit(state_->options.body_limit);
    parser_->header_limit(state_->options.header_limit);
    Lowest().expires_after(state_->options.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->ReadFailed(ec);
                              self->Lowest().expires_after(self->state_->options.read_timeout);
                              http::async_read(self->stream_, self->buffer_, *self->parser_,
                                               [self](beast::error_code ec2, std::size_t) { self->RequestRead(ec2); });
                            });
  }

  void ReadFailed(beast::error_code ec) {
    if (ec == http::error::body_limit) return WriteError(http::status::payload_too_large);
    if (ec == http::error::header_limit) return WriteError(http::status::request_header_fields_too_large);
    if (ec.category() == http::make_error_code(http::error::end_of_stream).category() /* a parse error */ &&
        ec != http::error::end_of_stream && ec != http::error::partial_message) {
      return WriteError(http::status::bad_request);
    }
    Close();  // eof, timeout, reset
  }

  void WriteError(http::status status) {
    http::response<http::string_body> response{status, 11};
    response.set(http::field::content_type, "text/plain");
    response.body() = std::string(http::obsolete_reason(status)) + "\n";
    keep_alive_ = false;
    WriteReply(std::move(response));
  }

  void RequestRead(beast::error_code ec) {
    if (ec) return ReadFailed(ec);
    Lowest().expires_never();  // the upstream call has its own deadline; a watch may last long
    keep_alive_ = parser_->get().keep_alive();
    HttpRequest request{parser_->release(), remote_ip_};
    auto exchange = std::make_shared<SessionExchange>(this->shared_from_this());
    try {
      state_->handler(request, exchange);
    } catch (const std::exception& e) {
      spdlog::error("request handler failed: {}", e.what());
      WriteError(http::status::internal_server_error);
    }
  }

  void WriteReply(http::response<http::string_body> response) {
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    auto shared = std::make_shared<http::response<http::string_body>>(std::move(response));
    Lowest().expires_after(state_->options.read_timeout);
    http::async_write(stream_, *shared, [self = this->shared_from_this(), shared](beast::error_code ec, std::size_t) {
      self->Written(ec);
    });
  }

  void Written(beast::error_code ec) {
    if (ec) return Close();
    if (!keep_alive_) return Close();
    ReadNext();
  }

  void WriteHead(http::response<http::empty_body> head, std::function<void(bool)> done) {
    head.keep_alive(keep_alive_);
    head.chunked(true);
    stream_head_ = std::make_shared<http::response<http::empty_body>>(std::move(head));
    serializer_ = std::make_shared<http::response_serializer<http::empty_body>>(*stream_head_);
    Lowest().expires_after(state_->options.read_timeout);
    http::async_write_header(
        stream_, *serializer_,
        [self = this->shared_from_this(), done = std::move(done)](beast::error_code ec, std::size_t) {
          self->Lowest().expires_never();
          done(!ec);
        });
  }

  void WriteBodyChunk(std::string data, std::function<void(bool)> done) {
    if (data.empty()) return done(true);  // an empty chunk would end the body
    auto buffer = std::make_shared<std::string>(std::move(data));
    Lowest().expires_after(state_->options.read_timeout);
    net::async_write(
        stream_, http::make_chunk(net::buffer(*buffer)),
        [self = this->shared_from_this(), buffer, done = std::move(done)](beast::error_code ec, std::size_t) {
          self->Lowest().expires_never();
          done(!ec);
        });
  }

  void WriteLastChunk() {
    Lowest().expires_after(state_->options.read_timeout);
    net::async_write(stream_, http::make_chunk_last(),
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       self->serializer_.reset();
                       self->stream_head_.reset();
                       self->Written(ec);
                     });
  }

  void Close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      Lowest().expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {
        beast::error_code ignored;
        self->Lowest().socket().close(ignored);
      });
    } else {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  Stream stream_;
  std::shared_ptr<ServerState> state_;
  std::string remote_ip_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  bool keep_alive_ = false;
  std::shared_ptr<http::response<http::empty_body>> stream_head_;
  std::shared_ptr<http::response_serializer<http::empty_body>> serializer_;
};

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<ServerState> state = std::make_shared<ServerState>();
  net::io_context ioc;
  std::optional<ssl::context> tls;
  tcp::acceptor acceptor{net::make_strand(ioc)};
  std::vector<std::thread> threads;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;

  void Accept() {
    acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        beast::error_code ignored;
        const tcp::endpoint remote = socket.remote_endpoint(ignored);
        std::string ip = ignored ? "" : remote.address().to_string();
        if (tls) {
          std::make_shared<Session<TlsStream>>(TlsStream(beast::tcp_stream(std::move(socket)), *tls), state, ip)->Run();
        } else {
          std::make_shared<Session<PlainStream>>(PlainStream(std::move(socket)), state, ip)->Run();
        }
      }
      Accept();
    });
  }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->state->options = std::move(options);
  impl_->state->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  const HttpServerOptions& o = impl_->state->options;
  if (!o.tls_cert_file.empty() || !o.tls_key_file.empty()) {
    if (o.tls_cert_file.empty() || o.tls_key_file.empty()) {
      throw Error(ErrorCode::kInvalidArgument, "TLS needs both --tls-cert and --tls-key");
    }
    impl_->tls.emplace(ssl::context::tls_server);
    boost::system::error_code ec;
    impl_->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    impl_->tls->use_certificate_chain_file(o.tls_cert_file, ec);
    if (ec) throw Error(ErrorCode::kInvalidArgument, "TLS certificate " + o.tls_cert_file + ": " + ec.message());
    impl_->tls->use_private_key_file(o.tls_key_file, ssl::context::pem, ec);
    if (ec) throw Error(ErrorCode::kInvalidArgument, "TLS key " + o.tls_key_file + ": " + ec.message());
  }
  boost::system::error_code ec;
  const net::ip::address address = net::ip::make_address(o.host, ec);
  if (ec) throw Error(ErrorCode::kInvalidArgument, "listen address " + o.host + ": " + ec.message());
  const tcp::endpoint endpoint(address, o.port);
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    throw Error(ErrorCode::kUnavailable,
                "cannot listen on " + o.host + ":" + std::to_string(o.port) + ": " + ec.message());
  }
  bound_port_ = acceptor.local_endpoint().port();
  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->Accept();
  for (int i = 0; i < std::max(1, o.threads); ++i) impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void HttpServer::Stop() {
  if (!impl_ || impl_->threads.empty()) return;
  net::post(impl_->acceptor.get_executor(), [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
  impl_->work.reset();
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

std::int64_t HttpServer::open_connections() const { return impl_->state->connections.load(); }

}  // namespace nebula::gateway
