#include <catch2/catch.hpp>

#include "gateway/core/path_template.h"

using namespace nebula::gateway;

namespace {

PathTemplate MustParse(const std::string& text) {
  ParseOutcome outcome = PathTemplate::Parse(text);
  if (auto* error = std::get_if<TemplateParseError>(&outcome)) FAIL(text << ": " << error->Message());
  return std::get<PathTemplate>(std::move(outcome));
}

TemplateParseError MustFail(const std::string& text) {
  ParseOutcome outcome = PathTemplate::Parse(text);
  REQUIRE(std::holds_alternative<TemplateParseError>(outcome));
  return std::get<TemplateParseError>(outcome);
}

std::vector<PathBinding> MustMatch(const std::string& tmpl, const std::string& path) {
  MatchOutcome outcome = MustParse(tmpl).Match(path);
  INFO(tmpl << " vs " << path);
  REQUIRE(std::holds_alternative<PathMatch>(outcome));
  return std::get<PathMatch>(outcome).bindings;
}

bool Matches(const std::string& tmpl, const std::string& path) {
  return std::holds_alternative<PathMatch>(MustParse(tmpl).Match(path));
}

}  // namespace

TEST_CASE("templates grpc-gateway accepts parse", "[path_template]") {
  for (const char* text : {"/v1", "/v1/apps", "/v1/*", "/v1/**", "/v1/{name}", "/v1/{name=*}", "/v1/{name=apps/*}",
                           "/v1/{name=**}", "/v1/{a.b.c}", "/v1/{name}:restart", "/v1:verb", "/v1/a:b:c",
                           "/v1/-._~!$&'()*+,;=:@%41", "/v1/**/tail", "/v1//", "/v1/{name=a//}", "/{_x9}"}) {
    INFO(text);
    MustParse(text);
  }
}

TEST_CASE("parsed structure", "[path_template]") {
  const PathTemplate t = MustParse("/v1/{app.name=apps/*}/x:restart");
  REQUIRE(t.verb() == "restart");
  REQUIRE(t.segments().size() == 4);
  REQUIRE(t.segments()[0] == TemplateSegment{TemplateSegment::Kind::kLiteral, "v1"});
  REQUIRE(t.segments()[2].kind == TemplateSegment::Kind::kWildcard);
  REQUIRE(t.variables() == std::vector<TemplateVariable>{{"app.name", 1, 3}});
  // {f} is {f=*}; "a:b:c" keeps "a:b" as a literal and "c" as the verb (last colon wins).
  REQUIRE(MustParse("/v1/{name}").variables() == MustParse("/v1/{name=*}").variables());
  const PathTemplate colon = MustParse("/v1/a:b:c");
  REQUIRE(colon.segments().back().literal == "a:b");
  REQUIRE(colon.verb() == "c");
  // httprule.accept takes a "/" token for any punctuation, so an empty segment parses as "*".
  REQUIRE(MustParse("/v1//").segments()[1].kind == TemplateSegment::Kind::kWildcard);
}

TEST_CASE("templates grpc-gateway rejects fail with a position", "[path_template]") {
  SECTION("no leading slash") { REQUIRE(MustFail("v1/apps").position == 0); }
  SECTION("empty and root") {
    MustFail("");
    MustFail("/");
  }
  SECTION("trailing slash") { REQUIRE(MustFail("/v1/").position == 4); }
  SECTION("bad literal character") {
    const TemplateParseError e = MustFail("/v1/a b");
    REQUIRE(e.position == 5);
    REQUIRE_THAT(e.Message(), Catch::Contains("position 5") && Catch::Contains("pchars"));
  }
  SECTION("bad percent-escape") {
    MustFail("/v1/%4");
    MustFail("/v1/%zz");
  }
  SECTION("field names") {
    REQUIRE(MustFail("/v1/{1a}").position == 5);
    MustFail("/v1/{}");
    MustFail("/v1/{a.}");
    MustFail("/v1/{a-b}");
  }
  SECTION("unterminated variable") {
    const TemplateParseError e = MustFail("/v1/{name");
    REQUIRE_THAT(e.Message(), Catch::Contains("field name") || Catch::Contains("}"));
    MustFail("/v1/{name=*");
  }
  SECTION("nested variables") {
    MustFail("/v1/{a={b}}");
    MustFail("/v1/{a=x/{b}}");
  }
  SECTION("junk after a variable") {
    MustFail("/v1/{a}b");
    MustFail("/{a}{b}");
  }
  SECTION("two deep wildcards") {
    const TemplateParseError e = MustFail("/v1/**/x/{a=**}");
    REQUIRE(e.position == 12);
  }
  SECTION("only a verb") { MustFail("/:verb"); }
}

TEST_CASE("matching literals and wildcards", "[path_template]") {
  REQUIRE(Matches("/v1/apps", "/v1/apps"));
  REQUIRE_FALSE(Matches("/v1/apps", "/v1/apps/"));
  REQUIRE_FALSE(Matches("/v1/apps", "/v1"));
  REQUIRE_FALSE(Matches("/v1/apps", "v1/apps"));
  REQUIRE(Matches("/v1/*", "/v1/x"));
  REQUIRE(Matches("/v1/*", "/v1/"));  // "*" takes an empty segment, as in grpc-gateway
  REQUIRE_FALSE(Matches("/v1/*", "/v1/x/y"));
  REQUIRE(Matches("/v1/**", "/v1"));  // zero segments
  REQUIRE(Matches("/v1/**", "/v1/a/b/c"));
  REQUIRE(Matches("/v1/**/tail", "/v1/tail"));
  REQUIRE(Matches("/v1/**/tail", "/v1/a/b/tail"));
  REQUIRE_FALSE(Matches("/v1/**/tail", "/v1/a/b"));
  // Literals compare against the raw path.
  REQUIRE_FALSE(Matches("/v1/apps", "/v1/%61pps"));
}

TEST_CASE("variables bind field paths", "[path_template]") {
  REQUIRE(MustMatch("/v1/apps/{name}", "/v1/apps/web") == std::vector<PathBinding>{{"name", "web"}});
  REQUIRE(MustMatch("/v1/apps/{app.name}", "/v1/apps/web") == std::vector<PathBinding>{{"app.name", "web"}});
  REQUIRE(MustMatch("/v1/{name=apps/*}", "/v1/apps/web") == std::vector<PathBinding>{{"name", "apps/web"}});
  REQUIRE(MustMatch("/v1/{name=**}", "/v1/a/b/c") == std::vector<PathBinding>{{"name", "a/b/c"}});
  REQUIRE(MustMatch("/v1/{name=**}", "/v1") == std::vector<PathBinding>{{"name", ""}});
  REQUIRE(MustMatch("/{a}/{b.c}", "/x/y") == std::vector<PathBinding>{{"a", "x"}, {"b.c", "y"}});
  REQUIRE_FALSE(Matches("/v1/{name=apps/*}", "/v1/groups/web"));
}

TEST_CASE("verbs", "[path_template]") {
  REQUIRE(MustMatch("/v1/apps/{name}:restart", "/v1/apps/web:restart") == std::vector<PathBinding>{{"name", "web"}});
  REQUIRE_FALSE(Matches("/v1/apps/{name}:restart", "/v1/apps/web"));
  REQUIRE_FALSE(Matches("/v1/apps/{name}:restart", "/v1/apps/web:stop"));
  REQUIRE_FALSE(Matches("/v1/apps/{name}:restart", "/v1/apps/:restart"));  // nothing before the verb
  // Without a verb in the template, the colon is part of the last segment.
  REQUIRE(MustMatch("/v1/apps/{name}", "/v1/apps/x:y") == std::vector<PathBinding>{{"name", "x:y"}});
  REQUIRE(MustMatch("/v1/{name=**}:undelete", "/v1/a/b:undelete") == std::vector<PathBinding>{{"name", "a/b"}});
}

TEST_CASE("percent-decoding and %2F", "[path_template]") {
  // Single-segment values are fully decoded, %2F included; the raw "/" split comes first, so %2F is
  // never a separator.
  REQUIRE(MustMatch("/v1/apps/{name}", "/v1/apps/a%2Fb") == std::vector<PathBinding>{{"name", "a/b"}});
  REQUIRE(MustMatch("/v1/apps/{name}", "/v1/apps/a%20b%3a%25") == std::vector<PathBinding>{{"name", "a b:%"}});
  REQUIRE_FALSE(Matches("/v1/apps/{name}", "/v1/apps/a/b"));
  // "**" values keep %2F (either case) encoded and decode the rest.
  REQUIRE(MustMatch("/v1/{name=**}", "/v1/a%2Fb/c%2fd%20e") == std::vector<PathBinding>{{"name", "a%2Fb/c%2fd e"}});
  // Segments bound through "*" inside a longer variable are decoded one by one (grpc-gateway's
  // per-segment unescape), so %2F there becomes "/".
  REQUIRE(MustMatch("/v1/{name=apps/*}", "/v1/apps/a%2Fb") == std::vector<PathBinding>{{"name", "apps/a/b"}});
  SECTION("broken escapes are reported, not matched") {
    for (const char* path : {"/v1/apps/%zz", "/v1/apps/a%4", "/v1/apps/%"}) {
      INFO(path);
      REQUIRE(std::holds_alternative<MalformedEscape>(MustParse("/v1/apps/{name}").Match(path)));
    }
    REQUIRE(std::get<MalformedEscape>(MustParse("/v1/{n=**}").Match("/v1/a/%zzz")).sequence == "%zz");
  }
}

TEST_CASE("PercentDecode", "[path_template]") {
  REQUIRE(PercentDecode("a%41%2f", false) == std::optional<std::string>("aA/"));
  REQUIRE(PercentDecode("a%41%2f", true) == std::optional<std::string>("aA%2f"));
  std::string bad;
  REQUIRE_FALSE(PercentDecode("x%g1", false, &bad));
  REQUIRE(bad == "%g1");
}
