// Filtered pagination: pages hold only readable items, tokens continue after the last examined item,
// nothing is skipped or repeated, and a call examines a bounded number of items.
#include "api-manager/rules/list_filter.h"

#include <catch2/catch.hpp>

namespace am = nebula::api_manager;

namespace {

struct Source {
  std::vector<std::string> names;  // sorted
  int fetches = 0;
  std::pair<std::vector<std::string>, bool> operator()(const std::string& after, int n) {
    ++fetches;
    std::vector<std::string> out;
    auto it = std::upper_bound(names.begin(), names.end(), after);
    for (; it != names.end() && int(out.size()) < n; ++it) out.push_back(*it);
    return {out, it != names.end()};
  }
};

std::vector<std::string> Names(int n) {
  std::vector<std::string> names;
  for (int i = 0; i < n; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "n%03d", i % 1000);
    names.push_back(buf);
  }
  return names;
}

am::FilteredPage<std::string> Page(Source& source, const std::string& after, int limit,
                                   const std::function<bool(const std::string&)>& keep, int max_examined = 10000) {
  return am::CollectReadable<std::string>(
      after, limit, max_examined, [&](const std::string& a, int n) { return source(a, n); },
      [](const std::string& s) { return s; }, keep);
}

}  // namespace

TEST_CASE("list filter: walking all pages yields exactly the readable items in order") {
  for (int total : {0, 1, 9, 10, 11, 57}) {
    for (int limit : {1, 3, 10}) {
      Source source{Names(total)};
      auto keep = [](const std::string& s) { return (s.back() - '0') % 3 == 0; };
      std::vector<std::string> expected;
      for (const auto& n : source.names)
        if (keep(n)) expected.push_back(n);
      std::vector<std::string> seen;
      std::string after;
      int pages = 0;
      do {
        auto page = Page(source, after, limit, keep);
        CHECK(int(page.items.size()) <= limit);
        seen.insert(seen.end(), page.items.begin(), page.items.end());
        after = page.next_after;
        REQUIRE(++pages < 200);
      } while (!after.empty());
      INFO("total " << total << " limit " << limit);
      CHECK(seen == expected);
    }
  }
}

TEST_CASE("list filter: a full page with nothing after it has no token") {
  Source source{Names(3)};
  auto page = Page(source, "", 3, [](const std::string&) { return true; });
  CHECK(page.items.size() == 3);
  CHECK(page.next_after.empty());
}

TEST_CASE("list filter: a caller who may read nothing gets empty pages and the scan is bounded") {
  Source source{Names(100)};
  auto page = Page(
      source, "", 10, [](const std::string&) { return false; }, 25);
  CHECK(page.items.empty());
  CHECK(page.next_after == "n029");  // stopped after 3 fetches of 10 (30 examined >= 25)
  CHECK(source.fetches == 3);
  auto all = Page(source, "", 10, [](const std::string&) { return false; });
  CHECK(all.items.empty());
  CHECK(all.next_after.empty());
}

TEST_CASE("list filter: trimming to a byte budget continues after the last kept item") {
  am::FilteredPage<std::string> page{{"a", "b", "c", "d"}, ""};
  am::TrimToBytes(
      page, 2, [](const std::string&) { return size_t(1); }, [](const std::string& s) { return s; });
  CHECK(page.items == std::vector<std::string>{"a", "b"});
  CHECK(page.next_after == "b");
  am::FilteredPage<std::string> one{{"huge"}, ""};
  am::TrimToBytes(
      one, 1, [](const std::string&) { return size_t(100); }, [](const std::string& s) { return s; });
  CHECK(one.items.size() == 1);  // always at least one item
  CHECK(one.next_after.empty());
}
