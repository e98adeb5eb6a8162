#include "api-manager/access/required_authenticator.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <unordered_map>

#include "api-manager/access/credentials.h"
#include "api-manager/access/identity_rules.h"
#include "api-manager/access/secrets.h"
#include "common/error.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using Clock = std::chrono::system_clock;
using google::protobuf::util::TimeUtil;

Clock::time_point ToTimePoint(const google::protobuf::Timestamp& ts) {
  return Clock::time_point(
      std::chrono::duration_cast<Clock::duration>(std::chrono::microseconds(TimeUtil::TimestampToMicroseconds(ts))));
}

class CachingAuthenticator final : public Authenticator {
 public:
  CachingAuthenticator(CredentialStore& store, RequiredAuthSettings settings)
      : store_(store), settings_(std::move(settings)) {}

  Caller Authenticate(std::string_view authorization) override {
    Credential credential = ParseAuthorization(authorization);
    const Clock::time_point now = settings_.now();
    const std::string key = HashTokenSecret(authorization);
    {
      std::lock_guard lock(mutex_);
      auto it = cache_.find(key);
      if (it != cache_.end()) {
        if (now < it->second.valid_until) return it->second.caller;
        cache_.erase(it);
      }
    }
    Clock::time_point valid_until = now + settings_.cache_ttl;
    Caller caller = std::visit([&](const auto& c) { return Verify(c, now, valid_until); }, credential);
    std::lock_guard lock(mutex_);
    if (cache_.size() >= settings_.max_cache_entries) {
      std::erase_if(cache_, [&](const auto& entry) { return entry.second.valid_until <= now; });
      if (cache_.size() >= settings_.max_cache_entries) cache_.clear();
    }
    cache_[key] = {caller, valid_until};
    return caller;
  }

 private:
  struct Entry {
    Caller caller;
    Clock::time_point valid_until;
  };

  Caller Verify(const TokenCredential& credential, Clock::time_point now, Clock::time_point& valid_until) {
    auto stored = store_.FindToken(credential.id);
    // One message for all three: whether an id exists is no business of someone without its secret.
    if (!stored || !ConstantTimeEquals(stored->secret_hash, HashTokenSecret(credential.secret)))
      throw Error(ErrorCode::kUnauthenticated, "unknown or revoked token " + QuoteForMessage(credential.id) +
                                                   " (or a wrong secret); create a new token with CreateToken");
    if (stored->token.has_expire_time()) {
      Clock::time_point expires = ToTimePoint(stored->token.expire_time());
      if (expires <= now)
        throw Error(ErrorCode::kUnauthenticated, "token " + QuoteForMessage(credential.id) + " expired at " +
                                                     TimeUtil::ToString(stored->token.expire_time()) +
                                                     "; create a new token with CreateToken");
      valid_until = std::min(valid_until, expires);
    }
    try {
      store_.TouchToken(credential.id);
    } catch (const std::exception& e) {
      spdlog::warn("recording the last use of token {} failed: {}", credential.id, e.what());
    }
    return CallerFromGroups(stored->token.user(), store_.GroupsOf(stored->token.user()));
  }

  Caller Verify(const PasswordCredential& credential, Clock::time_point, Clock::time_point&) {
    auto hash = store_.PasswordHash(credential.user);
    if (!hash || !VerifyPassword(*hash, credential.password))
      throw Error(ErrorCode::kUnauthenticated,
                  "bad user or password (basic auth for user " + QuoteForMessage(credential.user) + ")");
    return CallerFromGroups(credential.user, store_.GroupsOf(credential.user));
  }

  CredentialStore& store_;
  RequiredAuthSettings settings_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace

std::unique_ptr<Authenticator> MakeRequiredAuthenticator(CredentialStore& store, RequiredAuthSettings settings) {
  return std::make_unique<CachingAuthenticator>(store, std::move(settings));
}

}  // namespace nebula::api_manager
