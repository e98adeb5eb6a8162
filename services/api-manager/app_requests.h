// The request rules of the ApiManager service (pure): what a well-formed request is, how a partial
// update merges with the stored spec, and how specs are normalized before they are stored.
//
// Normalization: a spec is stored as the client sent it, defaults left unset (running unset means
// true, containers_per unset means one per host, ...), so GetApp returns what was written and a
// default can still change for everyone later. Only encodings that mean the same thing are folded:
// a present-but-empty containers_per, update_strategy or resources message is cleared. Fields this
// server does not know (from a newer client) are dropped: they were not validated.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "error.h"
#include "nebula/v1/api_manager.pb.h"

namespace nebula::api_manager {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;
// google.rpc.BadRequest travels in a trailer, and peers refuse large metadata (8 KiB by default).
inline constexpr size_t kMaxReportedViolations = 10;
inline constexpr int kMaxMaskPaths = 100;
// ListApps stops early (with a next_page_token) rather than exceed gRPC's 4 MiB default message limit.
inline constexpr size_t kMaxListResponseBytes = 3 * 1024 * 1024;

// INVALID_ARGUMENT listing at most kMaxReportedViolations problems (and how many more there are).
Error InvalidRequest(std::vector<FieldViolation> violations);

// Throws InvalidRequest for a bad name (field e.g. "name" or "app.name").
void CheckAppName(std::string_view name, std::string_view field);

void CheckCreateRequest(const nebula::v1::CreateAppRequest& request);
// Checks what can be checked before reading the stored app (name, mask paths, a full spec).
void CheckUpdateRequest(const nebula::v1::UpdateAppRequest& request);
void CheckDeleteRequest(const nebula::v1::DeleteAppRequest& request);

// Throws ABORTED unless expected is 0 or equals actual.
void CheckExpectedGeneration(std::string_view name, int64_t expected, int64_t actual);

// The spec an UpdateApp request leaves behind: the request's spec (no mask), or the current spec
// with the masked "spec.*" paths replaced from the request (replace, not merge, for messages,
// lists and maps). Normalized and validated; throws InvalidRequest naming "app.spec..." fields.
nebula::v1::AppSpec SpecAfterUpdate(const nebula::v1::App& current, const nebula::v1::UpdateAppRequest& request);

nebula::v1::AppSpec NormalizeSpec(nebula::v1::AppSpec spec);

// page_size → row limit: 0 → kDefaultPageSize, capped at kMaxPageSize, negative → INVALID_ARGUMENT.
int PageLimit(int32_t page_size);

}  // namespace nebula::api_manager
