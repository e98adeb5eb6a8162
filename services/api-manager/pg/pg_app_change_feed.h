// AppChangeFeed on PostgreSQL: a dedicated session that LISTENs on the outbox channel (every app
// write NOTIFYs "app <gen> <name>" there, see pg_app_store.cpp) and reads the apps table. The
// session is never silently re-established (notifications sent meanwhile would be lost): a broken
// session throws, and the cache reloads on a new one.
#pragma once

#include <memory>
#include <string>

#include "api-manager/store/app_change_feed.h"
#include "api-manager/pg/pg_forward.h"

namespace nebula::api_manager {

class PgAppChangeFeed final : public AppChangeFeed {
 public:
  explicit PgAppChangeFeed(std::string database_url);
  ~PgAppChangeFeed() override;

  void Open() override;
  void Close() override;
  std::vector<AppState> LoadAll() override;
  std::vector<AppState> Load(const std::vector<std::string>& names) override;
  FeedBatch Wait(std::chrono::milliseconds timeout) override;

 private:
  class Receiver;
  void CheckSession() const;

  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Receiver> receiver_;
  std::vector<AppChange> received_;
  std::chrono::steady_clock::time_point confirmed_;  // last round trip's start
  int backend_pid_ = 0;
};

}  // namespace nebula::api_manager
