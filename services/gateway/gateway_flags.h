// Command line of nebula-gateway: every flag has a NEBULA_GATEWAY_* (or NEBULA_LOG_*) environment
// fallback, and --config <file> / NEBULA_GATEWAY_CONFIG reads them from a TOML file (service_flags.h:
// flag > env > file > default). Header-only: main.cpp and the flag tests are its only users.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

#include "common/service_flags.h"

namespace nebula::gateway {

struct GatewayFlags {
  std::string listen = "127.0.0.1:8080";
  std::string upstream = "127.0.0.1:50051";
  int threads = 2;
  std::uint64_t max_body_bytes = 4 * 1024 * 1024;
  int idle_timeout_seconds = 60;
  int read_timeout_seconds = 30;
  std::string tls_cert;
  std::string tls_key;
  std::string log_level = "info";
  std::string log_format = "text";  // text | json (logging.h)
};

inline void AddGatewayFlags(CLI::App& app, GatewayFlags& flags) {
  // NEBULA_GATEWAY_CONFIG, not NEBULA_CONFIG: that one names the api-manager's file, and the dev stack
  // starts both from one environment.
  AddConfigFileFlag(app, "NEBULA_GATEWAY_CONFIG", "upstream = \"127.0.0.1:50051\"");
  app.add_option("--listen", flags.listen, "HTTP listen address (host:port)")
      ->envname("NEBULA_GATEWAY_LISTEN")
      ->capture_default_str();
  app.add_option("--upstream", flags.upstream, "gRPC server to forward to (host:port)")
      ->envname("NEBULA_GATEWAY_UPSTREAM")
      ->capture_default_str();
  app.add_option("--threads", flags.threads, "I/O threads serving every connection")
      ->envname("NEBULA_GATEWAY_THREADS")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--max-body-bytes", flags.max_body_bytes, "Largest request body; larger ones get 413")
      ->envname("NEBULA_GATEWAY_MAX_BODY_BYTES")
      ->capture_default_str();
  app.add_option("--idle-timeout-seconds", flags.idle_timeout_seconds,
                 "How long an open connection may wait for the next request's header")
      ->envname("NEBULA_GATEWAY_IDLE_TIMEOUT_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--read-timeout-seconds", flags.read_timeout_seconds,
                 "How long reading a request body, or writing one answer (chunk), may take")
      ->envname("NEBULA_GATEWAY_READ_TIMEOUT_SECONDS")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();
  app.add_option("--tls-cert", flags.tls_cert, "PEM certificate chain; with --tls-key serves HTTPS")
      ->envname("NEBULA_GATEWAY_TLS_CERT");
  app.add_option("--tls-key", flags.tls_key, "PEM private key")->envname("NEBULA_GATEWAY_TLS_KEY");
  AddLoggingFlags(app, flags.log_level, flags.log_format);
}

}  // namespace nebula::gateway
