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
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api-manager/store/app_store.h"
#include "common/error.h"
#include "nebula/v1/api_manager.pb.h"

namespace nebula::api_manager {

inline constexpr int kDefaultPageSize = 100;
inline constexpr int kMaxPageSize = 1000;
// google.rpc.BadRequest travels in a trailer, and peers refuse large metadata (8 KiB by default).
inline constexpr size_t kMaxReportedViolations = 10;
inline constexpr int kMaxMaskPaths = 100;
// ListApps stops early (with a next_page_token) rather than exceed gRPC's 4 MiB default message limit.
inline constexpr size_t kMaxListResponseBytes = 3 * 1024 * 1024;
// A filtered list call examines at most this many stored items before it returns a (maybe short) page.
inline constexpr int kMaxExaminedPerPage = 10000;

// INVALID_ARGUMENT listing at most kMaxReportedViolations problems (and how many more there are).
Error InvalidRequest(std::vector<FieldViolation> violations);

// expected_generation must be >= 0 (0: no check).
std::vector<FieldViolation> ExpectedGenerationViolations(int64_t expected);

// Throws InvalidRequest for a bad name (field e.g. "name" or "app.name").
void CheckAppName(std::string_view name, std::string_view field);

void CheckCreateRequest(const nebula::v1::CreateAppRequest& request);
// Checks what can be checked before reading the stored app (name, mask paths, a full spec).
void CheckUpdateRequest(const nebula::v1::UpdateAppRequest& request);
void CheckDeleteRequest(const nebula::v1::DeleteAppRequest& request);

// StartApp, StopApp, RestartApp, PullApp: a name and an optional expected_generation.
void CheckAppVerbRequest(std::string_view name, int64_t expected_generation);
void CheckRollbackRequest(const nebula::v1::RollbackAppRequest& request);

// The spec each verb leaves behind. Every one of them is a new generation, even if nothing changed,
// so the caller can wait for it.
nebula::v1::AppSpec SpecWithRunning(nebula::v1::AppSpec spec, bool running);
// restart_nonce + 1; rolling, if given, sets update_strategy.rolling in the same generation.
nebula::v1::AppSpec SpecRestarted(nebula::v1::AppSpec spec, std::optional<bool> rolling);
nebula::v1::AppSpec SpecPulled(nebula::v1::AppSpec spec);  // pull_nonce + 1

// RollbackApp's decision over the revision the store found (nullopt: the app never had that
// generation → NOT_FOUND; a deletion → FAILED_PRECONDITION). Returns the spec to restore.
nebula::v1::AppSpec SpecForRollback(std::string_view name, int64_t generation, const std::optional<Revision>& revision);

nebula::v1::AppRevision RevisionToProto(const std::string& name, const Revision& revision);

// Page tokens of lists ordered by a descending integer (revisions by generation, audit events by id):
// the last value of the previous page. "" → 0 (from the newest).
std::string EncodeNumberPageToken(int64_t last);
int64_t DecodeNumberPageToken(std::string_view token, std::string_view list);

// Throws ABORTED unless expected is 0 or equals actual.
void CheckExpectedGeneration(std::string_view name, int64_t expected, int64_t actual, std::string_view kind = "app");

// The spec an UpdateApp request leaves behind: the request's spec (no mask), or the current spec
// with the masked "spec.*" paths replaced from the request (replace, not merge, for messages,
// lists and maps). Normalized and validated; throws InvalidRequest naming "app.spec..." fields.
nebula::v1::AppSpec SpecAfterUpdate(const nebula::v1::App& current, const nebula::v1::UpdateAppRequest& request);

nebula::v1::AppSpec NormalizeSpec(nebula::v1::AppSpec spec);

// page_size → row limit: 0 → kDefaultPageSize, capped at kMaxPageSize, negative → INVALID_ARGUMENT.
int PageLimit(int32_t page_size);

}  // namespace nebula::api_manager
