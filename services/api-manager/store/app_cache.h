// The api-manager's in-memory copy of every app (live, and deleted ones as tombstones), so GetApp and
// ListApps need no database round trip. Pure and thread-safe; CachedAppStore fills it from the
// database and the writes, and decides when it may be read (see cached_app_store.h).
//
// The one rule that makes any order of updates safe: an entry is replaced only by a strictly newer
// generation (generations grow on every change of a name, deletion and re-creation included, and
// every value put here is committed data). So a slow writer thread, a refresh and a reload may race
// freely; the newest committed state wins.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api-manager/store/app_store.h"

namespace nebula::api_manager {

// One row of the apps table: the app (name and generation always set) or its deletion.
struct AppState {
  nebula::v1::App app;
  bool deleted = false;
};

// What a write transaction NOTIFYs on the outbox channel besides waking the relay: "app <gen> <name>".
struct AppChange {
  std::string name;
  int64_t generation = 0;
};
std::string AppChangePayload(const std::string& name, int64_t generation);
// nullopt for any other payload (the relay's empty wake-ups, other kinds, garbage).
std::optional<AppChange> ParseAppChange(std::string_view payload);

class AppCache {
 public:
  using Clock = std::chrono::steady_clock;

  // Readable while now < fresh-until; a new, cleared cache is not readable.
  bool Fresh(Clock::time_point now) const;
  void FreshUntil(Clock::time_point until);
  // Drops every entry and stops serving reads until FreshUntil is called again.
  void Clear();

  // Keeps state unless an entry of the same or a newer generation is present. True if stored.
  bool Put(AppState state);
  // The cached generation of name (live or deleted), 0 if unknown.
  int64_t GenerationOf(const std::string& name) const;

  // nullopt: not fresh at now (ask the database). nullptr: no live app of that name (deleted, or
  // never seen: a fresh cache holds every app).
  std::optional<std::shared_ptr<const nebula::v1::App>> Find(const std::string& name, Clock::time_point now) const;
  // Live apps after after_name in name order, like AppStore::List; nullopt: not fresh at now.
  std::optional<AppPage> List(const std::string& after_name, int limit, Clock::time_point now) const;
  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<const nebula::v1::App> app;  // null: deleted
    int64_t generation = 0;
  };

  mutable std::shared_mutex mutex_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::atomic<int64_t> fresh_until_{0};  // Clock ticks; 0 = not fresh
};

}  // namespace nebula::api_manager
