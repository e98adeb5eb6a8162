// Where the app cache learns about changes (PostgreSQL in production: a LISTENing session, see
// pg_app_change_feed.h). Errors are nebula::Error (kUnavailable when the session broke); after
// one the caller Closes and Opens again, since notifications may have been lost meanwhile.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "api-manager/store/app_cache.h"

namespace nebula::api_manager {

struct FeedBatch {
  std::vector<AppChange> changes;
  // Every change committed before this instant is in this batch or an earlier one of the session.
  std::chrono::steady_clock::time_point as_of;
};

class AppChangeFeed {
 public:
  virtual ~AppChangeFeed() = default;

  // A new session that receives the change notifications from now on.
  virtual void Open() = 0;
  virtual void Close() = 0;
  // Every app row, deleted ones included, as of some instant after Open.
  virtual std::vector<AppState> LoadAll() = 0;
  // The current rows of these names (names without a row are left out).
  virtual std::vector<AppState> Load(const std::vector<std::string>& names) = 0;
  // Waits up to timeout for changes (returns early when some arrive).
  virtual FeedBatch Wait(std::chrono::milliseconds timeout) = 0;
};

}  // namespace nebula::api_manager
