// GET /metrics over plain HTTP (--metrics-listen): the only place that includes cpp-httplib.
#pragma once

#include <functional>
#include <memory>
#include <string>

namespace nebula::api_manager {

class MetricsEndpoint {
 public:
  // Binds host:port at once (throws nebula::Error kInvalidArgument if it cannot) and serves on a
  // thread of its own; render is called once per scrape.
  MetricsEndpoint(const std::string& listen, std::function<std::string()> render);
  ~MetricsEndpoint();  // stops the listener and joins its thread
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nebula::api_manager
