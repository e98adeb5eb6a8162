#include "api-manager/access/caller.h"

#include <fnmatch.h>

#include <algorithm>

#include "common/error.h"

namespace nebula::api_manager {

Access Caller::AccessTo(ObjectKind kind, std::string_view name) const {
  if (admin) return Access::kWrite;
  const auto of_kind = grants.find(kind);
  if (of_kind == grants.end()) return Access::kNone;
  const std::string subject(name);
  Access best = Access::kNone;
  for (const auto& [pattern, access] : of_kind->second) {
    if (fnmatch(pattern.c_str(), subject.c_str(), 0) == 0) best = std::max(best, access);
  }
  return best;
}

std::string_view KindName(ObjectKind kind) {
  switch (kind) {
    case ObjectKind::kApp: return "app";
    case ObjectKind::kDeviceGroup: return "device group";
    case ObjectKind::kCronJob: return "cron job";
  }
  return "object";
}

void RequireAccess(const Caller& caller, ObjectKind kind, std::string_view name, Access needed) {
  if (caller.AccessTo(kind, name) >= needed) return;
  throw Error(ErrorCode::kPermissionDenied, "user \"" + caller.user + "\" has no " +
                                                (needed == Access::kWrite ? "rw" : "ro") + " permission on " +
                                                std::string(KindName(kind)) + " \"" + std::string(name) + "\"");
}

void RequireAdmin(const Caller& caller, std::string_view what) {
  if (caller.admin) return;
  throw Error(ErrorCode::kPermissionDenied,
              std::string(what) + " needs an admin; user \"" + caller.user + "\" is in no user group with admin");
}

void RequirePruning(const Caller& caller) {
  if (caller.admin || caller.pruning_allowed) return;
  throw Error(ErrorCode::kPermissionDenied,
              "pruning needs pruning_allowed or admin; user \"" + caller.user + "\" has neither");
}

}  // namespace nebula::api_manager
