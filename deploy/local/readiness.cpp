#include "readiness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "stop_request.h"

namespace nebula::devstack {
using namespace std::chrono_literals;

namespace {

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

bool WaitFor(int fd, short events, std::chrono::milliseconds timeout) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(timeout.count())) == 1 && (p.revents & events);
}

// Non-blocking connect bounded by the timeout; returns a connected socket or -1.
int ConnectWithTimeout(const sockaddr* address, socklen_t length, int family, std::chrono::milliseconds timeout) {
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, address, length) == 0) return fd;
  if (errno == EINPROGRESS && WaitFor(fd, POLLOUT, timeout)) {
    int error = 0;
    socklen_t size = sizeof error;
    if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) == 0 && error == 0) return fd;
  }
  ::close(fd);
  return -1;
}

sockaddr_in LoopbackAddress(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return address;
}

int ConnectEndpoint(const std::string& endpoint, std::chrono::milliseconds timeout) {
  if (endpoint.rfind("unix://", 0) == 0) {
    const std::string path = endpoint.substr(7);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return -1;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    return ConnectWithTimeout(reinterpret_cast<const sockaddr*>(&address), sizeof address, AF_UNIX, timeout);
  }
  std::string host_port = endpoint.rfind("tcp://", 0) == 0 ? endpoint.substr(6) : endpoint;
  const auto colon = host_port.rfind(':');
  if (colon == std::string::npos) return -1;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host_port.substr(0, colon).c_str(), host_port.substr(colon + 1).c_str(), &hints, &found) != 0) {
    return -1;
  }
  int fd = -1;
  for (addrinfo* a = found; a && fd < 0; a = a->ai_next) {
    fd = ConnectWithTimeout(a->ai_addr, a->ai_addrlen, a->ai_family, timeout);
  }
  ::freeaddrinfo(found);
  return fd;
}

}  // namespace

bool TcpPortOpen(int port, std::chrono::milliseconds timeout) {
  const sockaddr_in address = LoopbackAddress(port);
  const Socket socket(
      ConnectWithTimeout(reinterpret_cast<const sockaddr*>(&address), sizeof address, AF_INET, timeout));
  return socket.get() >= 0;
}

bool TcpPortFree(int port) {
  const Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (socket.get() < 0) return false;
  const int on = 1;
  // Like the servers themselves: a port in TIME_WAIT from our own last run is free.
  ::setsockopt(socket.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  const sockaddr_in address = LoopbackAddress(port);
  return ::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

std::optional<int> HttpGetStatus(const std::string& endpoint, const std::string& path, const std::string& extra_headers,
                                 std::chrono::milliseconds timeout) {
  const Socket socket(ConnectEndpoint(endpoint, timeout));
  if (socket.get() < 0) return std::nullopt;
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n" + extra_headers + "\r\n";
  std::size_t sent = 0;
  while (sent < request.size()) {
    if (!WaitFor(socket.get(), POLLOUT, timeout)) return std::nullopt;
    const ssize_t n = ::send(socket.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return std::nullopt;
    sent += static_cast<std::size_t>(n);
  }
  std::string response;
  char buffer[512];
  while (response.find("\r\n") == std::string::npos && response.size() < 4096) {
    if (!WaitFor(socket.get(), POLLIN, timeout)) return std::nullopt;
    const ssize_t n = ::recv(socket.get(), buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<std::size_t>(n));
  }
  // "HTTP/1.1 200 OK"
  const auto space = response.find(' ');
  if (response.rfind("HTTP/", 0) != 0 || space == std::string::npos || response.size() < space + 4) {
    return std::nullopt;
  }
  try {
    return std::stoi(response.substr(space + 1, 3));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool CommandSucceeds(const ProcessSpec& spec, std::chrono::milliseconds timeout) {
  try {
    return RunToCompletion(spec, "/dev/null", timeout) == 0;
  } catch (const StartupError&) {
    return false;  // timed out: simply not ready yet
  }
}

void WaitUntilReady(ChildProcess& child, const ReadinessCheck& check) {
  const auto deadline = std::chrono::steady_clock::now() + check.timeout;
  for (;;) {
    ThrowIfStopRequested();
    if (!child.Running()) {
      throw StartupError(child.name() + " " + child.DescribeExit() + " before it was ready; last lines of " +
                         child.log_file().string() + ":\n" + LogTail(child.log_file()));
    }
    if (check.probe()) return;
    if (std::chrono::steady_clock::now() >= deadline) {
      throw StartupError(child.name() + " was not ready after " + std::to_string(check.timeout.count()) + " s (" +
                         check.description + "); last lines of " + child.log_file().string() + ":\n" +
                         LogTail(child.log_file()));
    }
    std::this_thread::sleep_for(250ms);
  }
}

}  // namespace nebula::devstack
