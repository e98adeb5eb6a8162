// The Engine API transport against a scripted HTTP server on a unix socket (and one on TCP): what
// goes on the wire, chunked streams, the stop flag, timeouts and broken connections. The real
// dockerd is in engine_api_client_test.cpp.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "worker-agent/docker/engine_http.h"
#include "common/error.h"

using namespace nebula::agent;
using namespace std::chrono_literals;
using nebula::Error;
using nebula::ErrorCode;

namespace {

void Send(int fd, const std::string& text) {
  for (size_t sent = 0; sent < text.size();) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

std::string Chunk(const std::string& data) {
  char size[16];
  snprintf(size, sizeof(size), "%zx", data.size());
  return std::string(size) + "\r\n" + data + "\r\n";
}

// Serves one connection: reads the request (headers and Content-Length body), then runs `answer`
// on the connection. Keeps the connection open until `answer` returns and the test ends.
class ScriptedServer {
 public:
  using Answer = std::function<void(int fd, const std::string& request)>;

  // On a unix socket in /tmp, or on 127.0.0.1 with `tcp`.
  explicit ScriptedServer(Answer answer, bool tcp = false) : answer_(std::move(answer)) {
    if (tcp) {
      listener_ = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
      socklen_t len = sizeof(addr);
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
      docker_host_ = "tcp://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    } else {
      path_ = "/tmp/wa-engine-http-" + std::to_string(getpid()) + "-" + std::to_string(counter_++) + ".sock";
      unlink(path_.c_str());
      listener_ = socket(AF_UNIX, SOCK_STREAM, 0);
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path_.c_str());
      REQUIRE(bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
      docker_host_ = "unix://" + path_;
    }
    REQUIRE(listen(listener_, 4) == 0);
    thread_ = std::thread([this] { Serve(); });
  }
  ~ScriptedServer() {
    done_ = true;
    shutdown(listener_, SHUT_RDWR);
    thread_.join();
    close(listener_);
    if (!path_.empty()) unlink(path_.c_str());
  }

  EngineEndpoint Endpoint() const { return ParseEngineEndpoint(docker_host_); }
  std::string Request() {
    while (!answered_) std::this_thread::sleep_for(5ms);
    return request_;
  }
  bool Ending() const { return done_; }

 private:
  void Serve() {
    const int fd = accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    std::string request;
    char buf[4096];
    size_t need = std::string::npos;
    while (request.size() < need) {
      const ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      request.append(buf, static_cast<size_t>(n));
      const auto end = request.find("\r\n\r\n");
      if (end != std::string::npos && need == std::string::npos) {
        const auto cl = request.find("Content-Length: ");
        need = end + 4 + (cl != std::string::npos && cl < end ? std::stoul(request.substr(cl + 16)) : 0);
      }
    }
    request_ = request;
    answered_ = true;
    answer_(fd, request);
    close(fd);
  }

  static inline std::atomic<int> counter_{0};
  Answer answer_;
  std::string path_, docker_host_;
  int listener_ = -1;
  std::thread thread_;
  std::atomic<bool> done_{false}, answered_{false};
  std::string request_;
};

// Waits until the test ends (the client gives up first).
void Hang(const ScriptedServer& server) {
  while (!server.Ending()) std::this_thread::sleep_for(10ms);
}

EngineRequest Get(const std::string& target) {
  EngineRequest r;
  r.method = "GET";
  r.target = target;
  return r;
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("engine http sends the request and reads a sized answer", "[engine_http]") {
  ScriptedServer server([](int fd, const std::string&) {
    Send(fd, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{\"Id\":\"abc\"}\n");
  });
  EngineRequest request;
  request.method = "POST";
  request.target = "/v1.41/containers/create?name=web-0";
  request.body = R"({"Image":"busybox"})";
  request.headers.emplace_back("X-Registry-Auth", "e30=");
  const auto response = SendEngineRequest(server.Endpoint(), request);
  CHECK(response.status == 201);
  CHECK(response.body == "{\"Id\":\"abc\"}\n");
  const std::string sent = server.Request();
  CHECK(sent.rfind("POST /v1.41/containers/create?name=web-0 HTTP/1.1\r\n", 0) == 0);
  CHECK_THAT(sent, Catch::Contains("Host: localhost\r\n"));  // dockerd refuses requests without one
  CHECK_THAT(sent, Catch::Contains("Content-Type: application/json\r\n"));
  CHECK_THAT(sent, Catch::Contains("Content-Length: 19\r\n"));
  CHECK_THAT(sent, Catch::Contains("X-Registry-Auth: e30=\r\n"));
  CHECK(sent.substr(sent.size() - 19) == R"({"Image":"busybox"})");
}

TEST_CASE("engine http gives any status to the caller with its body", "[engine_http]") {
  ScriptedServer server([](int fd, const std::string&) {
    const std::string body = R"({"message":"No such container: x"})";
    Send(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  });
  const auto response = SendEngineRequest(server.Endpoint(), Get("/v1.41/containers/x/json"));
  CHECK(response.status == 404);
  CHECK(response.body == R"({"message":"No such container: x"})");
  CHECK(server.Request().find("Content-Type") == std::string::npos);  // GET: no body
}

TEST_CASE("engine http reads a body that ends with the connection", "[engine_http]") {
  ScriptedServer server(
      [](int fd, const std::string&) { Send(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it"); });
  const auto response = SendEngineRequest(server.Endpoint(), Get("/v1.41/version"));
  CHECK(response.status == 200);
  CHECK(response.body == "all of it");
}

TEST_CASE("engine http streams a chunked body piece by piece until it ends", "[engine_http]") {
  std::atomic<bool> headers_seen{false};
  ScriptedServer server([](int fd, const std::string&) {
    Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    std::this_thread::sleep_for(50ms);
    Send(fd, Chunk("{\"status\":\"one\"}\n{\"sta"));
    std::this_thread::sleep_for(50ms);
    Send(fd, Chunk("tus\":\"two\"}\n") + "0\r\n\r\n");
  });
  EngineRequest request = Get("/v1.41/events");
  request.timeout = 0ms;
  std::string streamed;
  int pieces = 0;
  request.on_headers = [&] { headers_seen = true; };
  request.on_data = [&](std::string_view data) {
    CHECK(headers_seen);
    streamed.append(data);
    ++pieces;
  };
  const auto response = SendEngineRequest(server.Endpoint(), request);
  CHECK(response.status == 200);
  CHECK(response.body.empty());
  CHECK(streamed == "{\"status\":\"one\"}\n{\"status\":\"two\"}\n");
  CHECK(pieces >= 2);
}

TEST_CASE("engine http gives up a stream soon after the stop flag is set", "[engine_http]") {
  ScriptedServer server([&](int fd, const std::string&) {
    Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Chunk("first\n"));
    Hang(server);
  });
  std::atomic<bool> stop{false};
  EngineRequest request = Get("/v1.41/events?filters=x");
  request.timeout = 0ms;
  request.stop = &stop;
  std::string streamed;
  request.on_data = [&](std::string_view data) {
    streamed.append(data);
    stop = true;  // as DriftWatch::Stop would, from another thread
  };
  const auto start = std::chrono::steady_clock::now();
  try {
    SendEngineRequest(server.Endpoint(), request);
    FAIL("a stopped stream returned normally");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
    CHECK_THAT(std::string(e.what()), Catch::Contains("GET /v1.41/events: stopped"));  // no query in messages
  }
  CHECK(streamed == "first\n");
  CHECK(SecondsSince(start) < 1.5);
}

TEST_CASE("engine http gives up when there is no answer in time", "[engine_http]") {
  ScriptedServer server([&](int, const std::string&) { Hang(server); });
  EngineRequest request = Get("/v1.41/containers/json");
  request.timeout = 400ms;
  const auto start = std::chrono::steady_clock::now();
  try {
    SendEngineRequest(server.Endpoint(), request);
    FAIL("no answer, yet a response");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
    CHECK_THAT(std::string(e.what()), Catch::Contains("no answer within 400 ms"));
  }
  const double took = SecondsSince(start);
  CHECK(took >= 0.35);
  CHECK(took < 1.5);
}

TEST_CASE("engine http cuts a stream that stays silent for the idle limit", "[engine_http]") {
  ScriptedServer server([&](int fd, const std::string&) {
    Send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    for (int i = 0; i < 4; ++i) {  // talking keeps it alive past the limit
      std::this_thread::sleep_for(200ms);
      Send(fd, Chunk("tick\n"));
    }
    Hang(server);
  });
  EngineRequest request = Get("/v1.41/events");
  request.timeout = 0ms;
  request.idle_limit = 500ms;
  std::string streamed;
  request.on_data = [&](std::string_view data) { streamed.append(data); };
  const auto start = std::chrono::steady_clock::now();
  try {
    SendEngineRequest(server.Endpoint(), request);
    FAIL("a silent stream was not cut");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
    CHECK_THAT(std::string(e.what()), Catch::Contains("nothing received for 500 ms"));
  }
  CHECK(streamed == "tick\ntick\ntick\ntick\n");
  CHECK(SecondsSince(start) >= 1.2);
}

TEST_CASE("engine http reports a connection that breaks mid-answer", "[engine_http]") {
  ScriptedServer server(
      [](int fd, const std::string&) { Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"); });
  try {
    SendEngineRequest(server.Endpoint(), Get("/v1.41/containers/json?all=1"));
    FAIL("a short body was accepted");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
    CHECK_THAT(std::string(e.what()), Catch::StartsWith("dockerd at unix:///tmp/wa-engine-http-") &&
                                          Catch::Contains("GET /v1.41/containers/json: the connection broke"));
  }
}

TEST_CASE("engine http says where it could not connect", "[engine_http]") {
  try {
    SendEngineRequest(ParseEngineEndpoint("unix:///nonexistent/docker.sock"), Get("/v1.41/version"));
    FAIL("connected to a missing socket");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUnavailable);
    CHECK(std::string(e.what()) ==
          "dockerd at unix:///nonexistent/docker.sock: GET /v1.41/version: cannot connect: No such file or directory");
  }
}

TEST_CASE("engine http speaks TCP too", "[engine_http]") {
  ScriptedServer server([](int fd, const std::string&) { Send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"); },
                        /*tcp=*/true);
  const EngineEndpoint endpoint = server.Endpoint();
  CHECK(endpoint.socket_path.empty());
  const auto response = SendEngineRequest(endpoint, Get("/v1.41/version"));
  CHECK(response.status == 200);
  CHECK(response.body == "{}");
  CHECK_THAT(server.Request(), Catch::Contains("Host: 127.0.0.1:" + endpoint.port + "\r\n"));
}

TEST_CASE("engine endpoints: unix sockets and tcp addresses", "[engine_http]") {
  CHECK(ParseEngineEndpoint("unix:///var/run/docker.sock").socket_path == "/var/run/docker.sock");
  CHECK(ParseEngineEndpoint("/run/user/1000/docker.sock").socket_path == "/run/user/1000/docker.sock");
  const auto tcp = ParseEngineEndpoint("tcp://10.0.0.5:2376");
  CHECK(tcp.socket_path.empty());
  CHECK(tcp.host == "10.0.0.5");
  CHECK(tcp.port == "2376");
  CHECK(tcp.display == "tcp://10.0.0.5:2376");
  CHECK(ParseEngineEndpoint("tcp://docker.internal").port == "2375");  // the docker CLI's default
  const auto v6 = ParseEngineEndpoint("tcp://[::1]:2375");
  CHECK(v6.host == "::1");
  CHECK(v6.port == "2375");
  CHECK(ParseEngineEndpoint("tcp://[::1]").port == "2375");
  for (const std::string bad : {"docker.example:2375", "", "unix://", "unix://relative.sock", "tcp://", "tcp://:2375",
                                "tcp://host:port", "http://localhost:2375"}) {
    INFO(bad);
    try {
      ParseEngineEndpoint(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kInvalidArgument);
    }
  }
}

TEST_CASE("percent encoding keeps only unreserved characters", "[engine_http]") {
  CHECK(PercentEncode("web-0_a.b~c") == "web-0_a.b~c");
  CHECK(PercentEncode(R"({"label":["a=b"]})") == "%7B%22label%22%3A%5B%22a%3Db%22%5D%7D");
  CHECK(PercentEncode("a b/c?d&e") == "a%20b%2Fc%3Fd%26e");
  CHECK(PercentEncode("\xc3\xa9") == "%C3%A9");
}
