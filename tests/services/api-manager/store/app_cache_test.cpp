// The app read cache without a database: AppCache's generation rule, the NOTIFY payload, and
// CachedAppStore over an in-memory store with a scripted change feed and a hand-moved clock.
#include <catch2/catch.hpp>

#include <deque>
#include <thread>

#include "api-manager/store/app_cache.h"
#include "api-manager/store/cached_app_store.h"
#include "common/error.h"
#include "store/memory_app_store.h"

namespace am = nebula::api_manager;
using am::AppCache;
using Clock = AppCache::Clock;
using nebula::ErrorCode;

namespace {

am::AppState Live(const std::string& name, int64_t generation, const std::string& image = "busybox") {
  am::AppState state;
  state.app.set_name(name);
  state.app.set_generation(generation);
  state.app.mutable_spec()->set_image(image);
  return state;
}

am::AppState Deleted(const std::string& name, int64_t generation) {
  am::AppState state;
  state.app.set_name(name);
  state.app.set_generation(generation);
  state.deleted = true;
  return state;
}

// The database as the feed sees it: the memory store's rows; Wait plays scripted batches, then
// reports a broken session.
class ScriptedFeed final : public am::AppChangeFeed {
 public:
  explicit ScriptedFeed(am::testing::MemoryAppStore& db) : db_(db) {}

  void Open() override { ++opens; }
  void Close() override { ++closes; }
  std::vector<am::AppState> LoadAll() override { return Rows({}); }
  std::vector<am::AppState> Load(const std::vector<std::string>& names) override {
    loaded_names.insert(loaded_names.end(), names.begin(), names.end());
    return Rows(names);
  }
  am::FeedBatch Wait(std::chrono::milliseconds) override {
    if (batches.empty()) throw nebula::Error(ErrorCode::kUnavailable, "the scripted session ended");
    am::FeedBatch batch = batches.front();
    batches.pop_front();
    return batch;
  }

  int opens = 0;
  int closes = 0;
  std::vector<std::string> loaded_names;
  std::deque<am::FeedBatch> batches;

 private:
  std::vector<am::AppState> Rows(const std::vector<std::string>& names) {
    std::vector<am::AppState> rows;
    for (const auto& [name, entry] : db_.Rows()) {
      if (!names.empty() && std::find(names.begin(), names.end(), name) == names.end()) continue;
      rows.push_back({entry.app, entry.deleted});
    }
    return rows;
  }

  am::testing::MemoryAppStore& db_;
};

nebula::v1::AppSpec Spec(const std::string& image) {
  nebula::v1::AppSpec spec;
  spec.set_image(image);
  return spec;
}

am::SpecChange ImageTo(const std::string& image) {
  return [image](const nebula::v1::App&) { return Spec(image); };
}

struct Fixture {
  am::testing::MemoryAppStore db;  // the database, also written "by another replica" directly
  ScriptedFeed feed{db};
  Clock::time_point now = Clock::now();
  am::CachedAppStore store{db, feed, {.max_staleness = std::chrono::milliseconds(2000), .now = [this] { return now; }}};

  // A session that loads everything, applies the scripted batches and ends (as a broken one would).
  void RunScriptedSession() {
    std::stop_source stop;
    CHECK_THROWS_AS(store.RunSession(stop.get_token()), nebula::Error);
  }
};

}  // namespace

TEST_CASE("app change payloads round-trip and anything else is ignored") {
  auto change = am::ParseAppChange(am::AppChangePayload("web-1", 42));
  REQUIRE(change);
  CHECK(change->name == "web-1");
  CHECK(change->generation == 42);
  for (const char* other : {"", "app", "app 42", "app x web", "app 0 web", "app -3 web", "app 42 Not_A_Name",
                            "group 4 web", "app 4 web extra", "app 99999999999999999999 web"}) {
    INFO(other);
    CHECK_FALSE(am::ParseAppChange(other));
  }
}

TEST_CASE("the app cache keeps only newer generations and tombstones hide apps") {
  AppCache cache;
  const auto now = Clock::now();
  CHECK_FALSE(cache.Find("web", now));  // a new cache is not fresh
  cache.FreshUntil(now + std::chrono::seconds(1));
  REQUIRE(cache.Find("web", now));
  CHECK(*cache.Find("web", now) == nullptr);

  CHECK(cache.Put(Live("web", 2, "v2")));
  CHECK_FALSE(cache.Put(Live("web", 1, "v1")));  // a slow writer's older result
  CHECK_FALSE(cache.Put(Live("web", 2, "other")));
  CHECK((*cache.Find("web", now))->spec().image() == "v2");
  CHECK(cache.Put(Deleted("web", 3)));
  CHECK(*cache.Find("web", now) == nullptr);
  CHECK_FALSE(cache.Put(Live("web", 2, "v2")));  // a stale read cannot revive a deleted app
  CHECK(cache.GenerationOf("web") == 3);
  CHECK(cache.Put(Live("web", 4, "v4")));  // re-created past its deletion
  CHECK((*cache.Find("web", now))->spec().image() == "v4");

  CHECK_FALSE(cache.Find("web", now + std::chrono::seconds(1)));  // freshness ends
  cache.Clear();
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.Find("web", now));
}

TEST_CASE("the app cache lists live apps in name order like the store") {
  AppCache cache;
  const auto now = Clock::now();
  CHECK_FALSE(cache.List("", 10, now));
  cache.FreshUntil(now + std::chrono::seconds(1));
  for (const char* name : {"d", "a", "c", "b", "e"}) cache.Put(Live(name, 1));
  cache.Put(Deleted("c", 2));
  auto first = cache.List("", 2, now);
  REQUIRE(first);
  REQUIRE(first->apps.size() == 2);
  CHECK(first->apps[0].name() == "a");
  CHECK(first->apps[1].name() == "b");
  CHECK(first->more);
  auto second = cache.List("b", 2, now);
  REQUIRE(second->apps.size() == 2);
  CHECK(second->apps[0].name() == "d");  // c is deleted
  CHECK(second->apps[1].name() == "e");
  CHECK_FALSE(second->more);
}

TEST_CASE("cached app store reads go to the database until the cache is loaded") {
  Fixture f;
  f.db.Create("web", Spec("v1"), {"alice", "CreateApp"});
  CHECK_FALSE(f.store.Serving());
  CHECK(f.store.Get("web").spec().image() == "v1");
  f.RunScriptedSession();
  CHECK(f.feed.opens == 1);
  CHECK(f.store.Serving());
  f.db.Update("web", 0, ImageTo("v2"), {"bob", "UpdateApp"});  // another replica, not notified yet
  CHECK(f.store.Get("web").spec().image() == "v1");            // within the staleness bound
  f.now += std::chrono::milliseconds(2001);
  CHECK_FALSE(f.store.Serving());
  CHECK(f.store.Get("web").spec().image() == "v2");  // past the bound: the database answers
}

TEST_CASE("cached app store reads its own writes at once and skips their notifications") {
  Fixture f;
  f.db.Create("web", Spec("v1"), {"alice", "CreateApp"});
  f.RunScriptedSession();
  nebula::v1::App updated = f.store.Update("web", 0, ImageTo("v2"), {"alice", "UpdateApp"});
  CHECK(f.store.Get("web").spec().image() == "v2");
  f.store.Create("api", Spec("a1"), {"alice", "CreateApp"});
  CHECK(f.store.Get("api").spec().image() == "a1");
  CHECK(f.store.List("", 10).apps.size() == 2);
  int64_t deleted_at = f.store.Delete("api", 0, false, {"alice", "DeleteApp"});
  try {
    f.store.Get("api");
    FAIL("deleted app still readable");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
  }
  CHECK(f.store.List("", 10).apps.size() == 1);
  f.store.Apply({.changes = {{"web", updated.generation()}, {"api", 1}, {"api", deleted_at}}, .as_of = f.now});
  CHECK(f.feed.loaded_names.empty());  // nothing newer than what the writes put
  CHECK(f.store.Serving());
}

TEST_CASE("cached app store re-reads the apps other replicas changed") {
  Fixture f;
  f.db.Create("web", Spec("v1"), {"alice", "CreateApp"});
  f.db.Create("old", Spec("o1"), {"alice", "CreateApp"});
  f.RunScriptedSession();
  auto web = f.db.Update("web", 0, ImageTo("v2"), {"bob", "UpdateApp"});
  auto api = f.db.Create("api", Spec("a1"), {"bob", "CreateApp"});
  int64_t old_deleted = f.db.Delete("old", 0, false, {"bob", "DeleteApp"});
  f.now += std::chrono::milliseconds(1500);
  f.store.Apply(
      {.changes = {{"web", web.generation()}, {"api", api.generation()}, {"old", old_deleted}}, .as_of = f.now});
  CHECK(f.feed.loaded_names == std::vector<std::string>{"web", "api", "old"});
  CHECK(f.store.Get("web").spec().image() == "v2");
  CHECK(f.store.Get("api").spec().image() == "a1");
  CHECK_THROWS_AS(f.store.Get("old"), nebula::Error);
  f.now += std::chrono::milliseconds(1500);  // renewed by the batch: still serving
  CHECK(f.store.Serving());
  AppCache::Clock::time_point before = f.now;
  f.db.Update("web", 0, ImageTo("v3"), {"bob", "UpdateApp"});
  f.now += std::chrono::milliseconds(2001);
  CHECK_FALSE(f.store.Serving());
  CHECK(f.store.Get("web").spec().image() == "v3");
  (void)before;
}

TEST_CASE("a broken feed session clears the cache and a new session reloads everything") {
  Fixture f;
  f.db.Create("web", Spec("v1"), {"alice", "CreateApp"});
  std::stop_source stop;
  // Session 1 loads and breaks; while no session listens another replica writes (no notification
  // reaches us); session 2 must reload it. Stop once session 2 has loaded.
  f.feed.batches.push_back({.changes = {}, .as_of = f.now});
  std::thread runner([&] { f.store.Run(stop.get_token()); });
  for (int i = 0; i < 500 && f.feed.opens < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // session 1 broke: cleared, backing off
  CHECK_FALSE(f.store.Serving());
  f.db.Update("web", 0, ImageTo("v2"), {"bob", "UpdateApp"});
  CHECK(f.store.Get("web").spec().image() == "v2");  // from the database meanwhile
  for (int i = 0; i < 2000 && f.feed.opens < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  stop.request_stop();
  runner.join();
  CHECK(f.feed.opens >= 2);
  CHECK(f.feed.closes >= 2);
  CHECK_FALSE(f.store.Serving());  // stopped: cleared
}

TEST_CASE("a reload after reconnecting serves what changed while disconnected") {
  Fixture f;
  f.db.Create("web", Spec("v1"), {"alice", "CreateApp"});
  f.RunScriptedSession();
  CHECK(f.store.Get("web").spec().image() == "v1");
  f.db.Update("web", 0, ImageTo("v2"), {"bob", "UpdateApp"});  // its notification is lost
  f.RunScriptedSession();                                      // the next session reloads
  CHECK(f.feed.opens == 2);
  CHECK(f.store.Serving());
  CHECK(f.store.Get("web").spec().image() == "v2");
}
