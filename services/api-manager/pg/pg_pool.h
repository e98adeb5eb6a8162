// A small pool of PostgreSQL connections for the gRPC handler threads. Broken connections are
// dropped and replaced; a unit of work that failed because its connection was already dead runs
// once more on a fresh one. Database failures come out as nebula::Error with a message a client
// can act on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api-manager/pg/pg_forward.h"

namespace nebula::api_manager {

// A libpq/libpqxx error message on one line (they end with newlines and continue on indented lines),
// for logs and client-facing errors.
std::string PgErrorText(const std::exception& error);

class PgPool {
 public:
  struct Settings {
    std::string url;
    size_t max_connections = 8;
    std::chrono::milliseconds acquire_timeout{5000};
    std::chrono::milliseconds statement_timeout{10000};
    // Runs on every new connection (e.g. to prepare statements).
    std::function<void(pqxx::connection&)> on_connect;
  };

  explicit PgPool(Settings settings);
  ~PgPool();
  PgPool(const PgPool&) = delete;
  PgPool& operator=(const PgPool&) = delete;

  // Runs work with a connection of its own. work must do all its writes in one transaction it
  // commits itself. Exceptions: nebula::Error from work passes through; database failures become
  // nebula::Error kUnavailable (unreachable, timed out, commit outcome unknown) or kInternal.
  void Run(const std::function<void(pqxx::connection&)>& work);

 private:
  std::unique_ptr<pqxx::connection> Acquire();
  void Release(std::unique_ptr<pqxx::connection> conn);
  void Discard(std::unique_ptr<pqxx::connection> conn);

  Settings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  size_t open_ = 0;  // idle + leased + being opened
};

}  // namespace nebula::api_manager
