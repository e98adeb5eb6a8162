// AppStore decorator that answers Get and List from an AppCache of every app, so reads need no
// database round trip. Consistency:
// - read-your-writes on this replica: a write puts its committed result into the cache before it
//   returns, so the caller's next read (and anyone's) on this replica sees it;
// - other replicas' writes: every write transaction NOTIFYs "app <gen> <name>"; Run() LISTENs, and
//   re-reads the row of every name whose notified generation is newer than the cached one;
// - bounded staleness: the cache serves reads only while the feed has confirmed, less than
//   max_staleness ago, that every change committed before that moment was applied (the feed pings
//   its session). A session that breaks or hangs stops the reads within max_staleness; they go to
//   the database (inner) until a new session has LISTENed and reloaded every row (notifications
//   sent while disconnected are lost, so the reload is complete, not incremental).
// Writes and revision reads always go to inner.
#pragma once

#include <chrono>
#include <functional>
#include <stop_token>

#include "api-manager/store/app_cache.h"
#include "api-manager/store/app_change_feed.h"
#include "api-manager/store/app_store.h"

namespace nebula::api_manager {

struct AppCacheSettings {
  // Reads never miss a change committed longer ago than this on any replica.
  std::chrono::milliseconds max_staleness{2000};
  // How long one Wait on the feed lasts; also the reaction time to a stop request.
  std::chrono::milliseconds wait_slice{250};
  std::chrono::milliseconds retry_backoff_min{200};
  std::chrono::milliseconds retry_backoff_max{5000};
  std::function<AppCache::Clock::time_point()> now = AppCache::Clock::now;
};

class CachedAppStore final : public AppStore {
 public:
  CachedAppStore(AppStore& inner, AppChangeFeed& feed, AppCacheSettings settings);

  // Keeps the cache filled and fresh until stop is requested. Never throws.
  void Run(std::stop_token stop);
  // One session: open, reload everything, then apply changes until stop or an error (thrown).
  void RunSession(std::stop_token stop);
  // Applies one batch of changes (re-reading the rows that are newer than the cache) and extends
  // the freshness to batch.as_of + max_staleness.
  void Apply(const FeedBatch& batch);
  // Whether reads are served from the cache right now.
  bool Serving() const;

  nebula::v1::App Create(const std::string& name, const nebula::v1::AppSpec& spec, const WriteInfo& info) override;
  nebula::v1::App Get(const std::string& name) override;
  bool ReadsFromMemory() const override { return Serving(); }
  AppPage List(const std::string& after_name, int limit) override;
  nebula::v1::App Update(const std::string& name, int64_t expected_generation, const SpecChange& change,
                         const WriteInfo& info) override;
  int64_t Delete(const std::string& name, int64_t expected_generation, bool force, const WriteInfo& info) override;
  RevisionPage ListRevisions(const std::string& name, int64_t before, int limit) override;
  std::optional<Revision> GetRevision(const std::string& name, int64_t generation) override;

 private:
  AppStore& inner_;
  AppChangeFeed& feed_;
  AppCacheSettings settings_;
  AppCache cache_;
};

}  // namespace nebula::api_manager
