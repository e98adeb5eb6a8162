#include "api-manager/metrics/metrics_http.h"

#include <httplib.h>

#include <thread>

#include "common/error.h"

namespace nebula::api_manager {

struct MetricsEndpoint::Impl {
  httplib::Server server;
  std::thread thread;
};

MetricsEndpoint::MetricsEndpoint(const std::string& listen, std::function<std::string()> render)
    : impl_(std::make_unique<Impl>()) {
  size_t colon = listen.rfind(':');
  int port = 0;
  try {
    if (colon == std::string::npos) throw std::invalid_argument("no port");
    port = std::stoi(listen.substr(colon + 1));
  } catch (const std::exception&) {
    throw Error(ErrorCode::kInvalidArgument, "--metrics-listen expects host:port, got \"" + listen + "\"");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  impl_->server.Get("/metrics", [render](const httplib::Request&, httplib::Response& response) {
    response.set_content(render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  if (!impl_->server.bind_to_port(host.c_str(), port))
    throw Error(ErrorCode::kInvalidArgument, "cannot listen on " + listen + " for /metrics (address in use?)");
  impl_->thread = std::thread([this] { impl_->server.listen_after_bind(); });
}

MetricsEndpoint::~MetricsEndpoint() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

}  // namespace nebula::api_manager
