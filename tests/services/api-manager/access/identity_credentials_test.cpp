#include <catch2/catch.hpp>

#include "api-manager/access/credentials.h"
#include "api-manager/access/secrets.h"
#include "common/error.h"

using namespace nebula::api_manager;

namespace {

std::string UnauthenticatedMessage(std::string_view header) {
  try {
    ParseAuthorization(header);
  } catch (const nebula::Error& e) {
    REQUIRE(e.code() == nebula::ErrorCode::kUnauthenticated);
    return e.what();
  }
  FAIL("no error for " << header);
  return "";
}

}  // namespace

TEST_CASE("ParseAuthorization reads a bearer token") {
  auto credential = ParseAuthorization("Bearer abc123.s3cr3t-_X");
  REQUIRE(std::get<TokenCredential>(credential) == TokenCredential{"abc123", "s3cr3t-_X"});
  REQUIRE(std::get<TokenCredential>(ParseAuthorization("bearer  a.b ")) == TokenCredential{"a", "b"});
  REQUIRE(std::get<TokenCredential>(ParseAuthorization("BEARER a.b")) == TokenCredential{"a", "b"});
}

TEST_CASE("ParseAuthorization reads basic auth") {
  // "alice:pass:word" — the password may contain ':'.
  auto credential = ParseAuthorization("Basic " + EncodeBase64("alice:pass:word"));
  REQUIRE(std::get<PasswordCredential>(credential) == PasswordCredential{"alice", "pass:word"});
  REQUIRE(std::get<PasswordCredential>(ParseAuthorization("basic " + EncodeBase64("bob:"))) ==
          PasswordCredential{"bob", ""});
}

TEST_CASE("ParseAuthorization says what is wrong without echoing the secret") {
  REQUIRE_THAT(UnauthenticatedMessage(""), Catch::Contains("no credential"));
  REQUIRE_THAT(UnauthenticatedMessage("   "), Catch::Contains("no credential"));
  REQUIRE_THAT(UnauthenticatedMessage("Bearer"), Catch::Contains("no token"));
  for (const char* bad : {"Bearer topsecretvalue", "Bearer .topsecretvalue", "Bearer id.", "Bearer id.top.secretvalue",
                          "Bearer id.topsecret value", "Bearer id.top$secretvalue"}) {
    std::string message = UnauthenticatedMessage(bad);
    REQUIRE_THAT(message, Catch::Contains("malformed"));
    REQUIRE_THAT(message, !Catch::Contains("secretvalue"));
  }
  REQUIRE_THAT(UnauthenticatedMessage("Basic"), Catch::Contains("malformed"));
  REQUIRE_THAT(UnauthenticatedMessage("Basic not*base64"), Catch::Contains("not valid base64"));
  REQUIRE_THAT(UnauthenticatedMessage("Basic " + EncodeBase64("nocolonsecretvalue")),
               Catch::Contains("user:password") && !Catch::Contains("secretvalue"));
  REQUIRE_THAT(UnauthenticatedMessage("Basic " + EncodeBase64(":secretvalue")),
               Catch::Contains("empty user") && !Catch::Contains("secretvalue"));
  REQUIRE_THAT(UnauthenticatedMessage("Basic " + EncodeBase64("u:" + std::string(2000, 'x'))),
               Catch::Contains("longer than"));
  std::string bare = UnauthenticatedMessage("abc.secretvalue");
  REQUIRE_THAT(bare, Catch::Contains("unknown authorization scheme") && !Catch::Contains("secretvalue"));
  REQUIRE_THAT(UnauthenticatedMessage("Digest secretvalue"), !Catch::Contains("secretvalue"));
}

TEST_CASE("ParseTokenText accepts only <id>.<secret>") {
  REQUIRE(ParseTokenText("a.b") == TokenCredential{"a", "b"});
  REQUIRE_FALSE(ParseTokenText(""));
  REQUIRE_FALSE(ParseTokenText("ab"));
  REQUIRE_FALSE(ParseTokenText("a.b.c"));
  REQUIRE_FALSE(ParseTokenText(std::string(65, 'a') + ".b"));
  REQUIRE(ParseTokenText(std::string(64, 'a') + ".b"));
  REQUIRE_FALSE(ParseTokenText("a." + std::string(257, 'b')));
  REQUIRE_FALSE(ParseTokenText("a\n.b"));
}

TEST_CASE("Base64 round-trips and rejects non-canonical input") {
  for (const std::string& text :
       std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba", "foobar", std::string("\0\xff\x10", 3)})
    REQUIRE(DecodeBase64(EncodeBase64(text)) == text);
  REQUIRE(EncodeBase64("foobar") == "Zm9vYmFy");
  REQUIRE(EncodeBase64("fo") == "Zm8=");
  REQUIRE(DecodeBase64("Zm8=") == std::string("fo"));
  REQUIRE_FALSE(DecodeBase64("Zm8"));    // padding required
  REQUIRE_FALSE(DecodeBase64("Zm9="));   // stray bits
  REQUIRE_FALSE(DecodeBase64("Zm==="));  // too much padding
  REQUIRE_FALSE(DecodeBase64("Zm8=Zm8="));
  REQUIRE_FALSE(DecodeBase64("Z-8_"));  // base64url is not basic auth's alphabet
}

TEST_CASE("Secrets: argon2id password hashes verify and are salted") {
  std::string hash = HashPassword("correct horse");
  REQUIRE(hash.rfind("$argon2id$", 0) == 0);
  REQUIRE(VerifyPassword(hash, "correct horse"));
  REQUIRE_FALSE(VerifyPassword(hash, "correct horsf"));
  REQUIRE_FALSE(VerifyPassword("", "correct horse"));
  REQUIRE_FALSE(VerifyPassword("not a hash", "correct horse"));
  REQUIRE(HashPassword("correct horse") != hash);
}

TEST_CASE("Secrets: tokens are random hex and hashed with SHA-256") {
  NewToken a = GenerateToken();
  NewToken b = GenerateToken();
  REQUIRE(a.id.size() == 24);
  REQUIRE(a.secret.size() == 64);
  REQUIRE(a.id != b.id);
  REQUIRE(a.secret != b.secret);
  REQUIRE(ParseTokenText(a.Text()) == TokenCredential{a.id, a.secret});
  REQUIRE(HashTokenSecret("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  REQUIRE(ConstantTimeEquals("abc", "abc"));
  REQUIRE_FALSE(ConstantTimeEquals("abc", "abd"));
  REQUIRE_FALSE(ConstantTimeEquals("abc", "abcd"));
}
