// Who is calling and what they may touch (docs/architecture.md "Security"). Pure: the Authenticator (an adapter over
// the identity tables) produces a Caller from the request's credential; every handler then asks the Caller.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nebula::api_manager {

enum class ObjectKind { kApp, kDeviceGroup, kCronJob };
enum class Access { kNone = 0, kRead = 1, kWrite = 2 };  // rw implies ro

struct Caller {
  std::string user;
  bool admin = false;
  bool pruning_allowed = false;
  std::vector<std::string> user_groups;
  // Per kind: name or glob ("*", "web-*") -> access; the strongest grant of any of the caller's groups.
  std::map<ObjectKind, std::map<std::string, Access>> grants;

  Access AccessTo(ObjectKind kind, std::string_view name) const;
  bool CanRead(ObjectKind kind, std::string_view name) const { return AccessTo(kind, name) >= Access::kRead; }
  bool CanWrite(ObjectKind kind, std::string_view name) const { return AccessTo(kind, name) >= Access::kWrite; }
};

// Throws nebula::Error(kPermissionDenied) naming the object and the access that is missing.
void RequireAccess(const Caller& caller, ObjectKind kind, std::string_view name, Access needed);
void RequireAdmin(const Caller& caller, std::string_view what);
void RequirePruning(const Caller& caller);

std::string_view KindName(ObjectKind kind);  // "app", "device group", "cron job"

// Authenticates one request from its "authorization" metadata value (empty if absent): "Bearer <token>"
// or "Basic <base64 user:password>". Throws nebula::Error(kUnauthenticated) with a message saying what is
// wrong (no credential, unknown token, expired, bad password); never echoes the secret.
class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual Caller Authenticate(std::string_view authorization) = 0;
  // True if Authenticate never does I/O or slow hashing (so it may run on a gRPC event thread).
  virtual bool NeverBlocks() const { return false; }
};

}  // namespace nebula::api_manager
