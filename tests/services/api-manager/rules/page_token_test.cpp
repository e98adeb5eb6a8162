#include "api-manager/rules/page_token.h"

#include <catch2/catch.hpp>

#include "common/error.h"

namespace am = nebula::api_manager;

TEST_CASE("page tokens round-trip app names") {
  for (const char* name : {"a", "web", "web-1", "0123456789-abcdefghij-0123456789-abcdefghij-0123456789-abcdefgh"}) {
    std::string token = am::EncodePageToken(name);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    CHECK(am::DecodePageToken(token, "ListApps") == name);
  }
  CHECK(am::DecodePageToken("", "ListApps") == "");
}

TEST_CASE("foreign page tokens are INVALID_ARGUMENT on page_token") {
  std::string good = am::EncodePageToken("web");
  std::string flipped = good;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';  // non-canonical trailing bits or another name
  for (const std::string& bad : {std::string("garbage!"), std::string("d2Vi"), good + "=", good.substr(0, 1),
                                 std::string(300, 'A'), am::EncodePageToken("Not A Name"), std::string("\0", 1)}) {
    INFO(bad);
    try {
      am::DecodePageToken(bad, "ListApps");
      FAIL("accepted");
    } catch (const nebula::Error& e) {
      CHECK(e.code() == nebula::ErrorCode::kInvalidArgument);
      REQUIRE(e.violations().size() == 1);
      CHECK(e.violations()[0].field == "page_token");
    }
  }
  // A changed last character either decodes to another valid name or is refused; never a crash.
  try {
    am::DecodePageToken(flipped, "ListApps");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == nebula::ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("a refused page token names the list it was passed to") {
  for (const char* list : {"ListApps", "ListUsers", "ListTokens", "ListUserGroups", "ListWorkers"}) {
    INFO(list);
    try {
      am::DecodePageToken("garbage!", list);
      FAIL("accepted");
    } catch (const nebula::Error& e) {
      REQUIRE(e.violations().size() == 1);
      CHECK(e.violations()[0].description.find(std::string("previous ") + list + " response") != std::string::npos);
      if (std::string(list) != "ListApps") CHECK(e.violations()[0].description.find("ListApps") == std::string::npos);
    }
  }
}

TEST_CASE("id page tokens carry worker ids that are not DNS labels") {
  const std::string longest(253, 'h');
  for (const std::string& id : {std::string("node-1.example.com"), std::string("Host_A"), longest}) {
    INFO(id);
    CHECK(am::DecodeIdPageToken(am::EncodePageToken(id), "ListWorkers") == id);
  }
  CHECK(am::DecodeIdPageToken("", "ListWorkers") == "");
  CHECK_THROWS_AS(am::DecodePageToken(am::EncodePageToken("node-1.example.com"), "ListApps"), nebula::Error);
  for (const std::string& bad : {am::EncodePageToken(std::string(254, 'h')), am::EncodePageToken("a\nb"),
                                 am::EncodePageToken(""), std::string("garbage!")}) {
    try {
      am::DecodeIdPageToken(bad, "ListWorkers");
      FAIL("accepted");
    } catch (const nebula::Error& e) {
      CHECK(e.code() == nebula::ErrorCode::kInvalidArgument);
      REQUIRE(e.violations().size() == 1);
      CHECK(e.violations()[0].description.find("ListWorkers") != std::string::npos);
    }
  }
}
