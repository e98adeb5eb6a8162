#include "api-manager/rules/app_requests.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <charconv>

#include "api-manager/rules/page_token.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::FieldMaskUtil;

void ThrowIfAny(std::vector<FieldViolation> violations) {
  if (!violations.empty()) throw InvalidRequest(std::move(violations));
}

void Append(std::vector<FieldViolation>& to, std::vector<FieldViolation> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

std::vector<FieldViolation> MaskViolations(const google::protobuf::FieldMask& mask) {
  std::vector<FieldViolation> violations;
  if (mask.paths_size() > kMaxMaskPaths)
    return {{"update_mask.paths", "at most " + std::to_string(kMaxMaskPaths) + " paths are allowed; got " +
                                      std::to_string(mask.paths_size()) + " (\"spec\" replaces the whole spec)"}};
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    std::string field = "update_mask.paths[" + std::to_string(i) + "]";
    if (path != "spec" && path.rfind("spec.", 0) != 0) {
      violations.push_back({field,
                            "only the spec can be updated: use \"spec\" or paths under it such as "
                            "\"spec.image\" or \"spec.env\"; got " +
                                QuoteForMessage(path)});
    } else if (!FieldMaskUtil::IsValidPath<nebula::v1::App>(path)) {
      violations.push_back({field, QuoteForMessage(path) +
                                       " is not a field of App (paths use proto field names, "
                                       "e.g. \"spec.containers_per\", and cannot reach into lists or maps)"});
    }
  }
  return violations;
}

}  // namespace

std::vector<FieldViolation> ExpectedGenerationViolations(int64_t expected) {
  if (expected >= 0) return {};
  return {{"expected_generation", "must be 0 (no check) or the generation you read; got " + std::to_string(expected)}};
}

Error InvalidRequest(std::vector<FieldViolation> violations) {
  if (violations.size() > kMaxReportedViolations) {
    size_t more = violations.size() - (kMaxReportedViolations - 1);
    violations.resize(kMaxReportedViolations - 1);
    violations.push_back(
        {violations.front().field, "and " + std::to_string(more) + " more problems; fix these first to see the rest"});
  }
  return InvalidArgument(std::move(violations));
}

void CheckAppName(std::string_view name, std::string_view field) { ThrowIfAny(ValidateAppName(name, field)); }

void CheckCreateRequest(const nebula::v1::CreateAppRequest& request) {
  std::vector<FieldViolation> violations = ValidateAppName(request.app().name(), "app.name");
  if (!request.app().has_spec()) {
    violations.push_back({"app.spec", "is required: at least an image, e.g. {\"image\": \"nginx:1.25\"}"});
  } else {
    Append(violations, ValidateAppSpec(NormalizeSpec(request.app().spec()), "app.spec"));
  }
  ThrowIfAny(std::move(violations));
}

void CheckUpdateRequest(const nebula::v1::UpdateAppRequest& request) {
  std::vector<FieldViolation> violations = ValidateAppName(request.app().name(), "app.name");
  Append(violations, ExpectedGenerationViolations(request.expected_generation()));
  if (request.update_mask().paths_size() > 0) {
    Append(violations, MaskViolations(request.update_mask()));
  } else if (!request.app().has_spec()) {
    violations.push_back({"app.spec",
                          "is required when update_mask is empty (the spec is replaced as a whole); "
                          "to change single fields list them in update_mask, e.g. \"spec.image\""});
  } else {
    Append(violations, ValidateAppSpec(NormalizeSpec(request.app().spec()), "app.spec"));
  }
  ThrowIfAny(std::move(violations));
}

void CheckDeleteRequest(const nebula::v1::DeleteAppRequest& request) {
  std::vector<FieldViolation> violations = ValidateAppName(request.name(), "name");
  Append(violations, ExpectedGenerationViolations(request.expected_generation()));
  ThrowIfAny(std::move(violations));
}

void CheckExpectedGeneration(std::string_view name, int64_t expected, int64_t actual, std::string_view kind) {
  if (expected == 0 || expected == actual) return;
  throw Error(ErrorCode::kAborted, std::string(kind) + " " + QuoteForMessage(name) + " is at generation " +
                                       std::to_string(actual) + ", not the expected " + std::to_string(expected) +
                                       "; someone changed it since you read it: read it again, reapply your change "
                                       "and send expected_generation " +
                                       std::to_string(actual));
}

void CheckAppVerbRequest(std::string_view name, int64_t expected_generation) {
  std::vector<FieldViolation> violations = ValidateAppName(name, "name");
  Append(violations, ExpectedGenerationViolations(expected_generation));
  ThrowIfAny(std::move(violations));
}

void CheckRollbackRequest(const nebula::v1::RollbackAppRequest& request) {
  std::vector<FieldViolation> violations = ValidateAppName(request.name(), "name");
  if (request.generation() <= 0)
    violations.push_back({"generation",
                          "required: the generation whose spec to restore (ListAppRevisions shows "
                          "them); got " +
                              std::to_string(request.generation())});
  Append(violations, ExpectedGenerationViolations(request.expected_generation()));
  ThrowIfAny(std::move(violations));
}

nebula::v1::AppSpec SpecWithRunning(nebula::v1::AppSpec spec, bool running) {
  spec.set_running(running);
  return spec;
}

nebula::v1::AppSpec SpecRestarted(nebula::v1::AppSpec spec, std::optional<bool> rolling) {
  spec.set_restart_nonce(spec.restart_nonce() + 1);
  if (rolling) spec.mutable_update_strategy()->set_rolling(*rolling);
  return NormalizeSpec(std::move(spec));
}

nebula::v1::AppSpec SpecPulled(nebula::v1::AppSpec spec) {
  spec.set_pull_nonce(spec.pull_nonce() + 1);
  return spec;
}

nebula::v1::AppSpec SpecForRollback(std::string_view name, int64_t generation,
                                    const std::optional<Revision>& revision) {
  if (!revision)
    throw Error(ErrorCode::kNotFound, "app " + QuoteForMessage(name) + " never had generation " +
                                          std::to_string(generation) + "; ListAppRevisions shows its generations");
  if (revision->deleted)
    throw Error(ErrorCode::kFailedPrecondition, "generation " + std::to_string(generation) + " of app " +
                                                    QuoteForMessage(name) +
                                                    " is a deletion and has no spec to restore; pick another "
                                                    "generation from ListAppRevisions");
  return revision->spec;
}

nebula::v1::AppRevision RevisionToProto(const std::string& name, const Revision& revision) {
  nebula::v1::AppRevision out;
  out.set_name(name);
  out.set_generation(revision.generation);
  out.set_action(revision.action);
  out.set_actor(revision.actor);
  *out.mutable_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(revision.time_us);
  if (!revision.deleted) *out.mutable_spec() = revision.spec;
  out.set_deleted(revision.deleted);
  out.set_rolled_back_to(revision.rolled_back_to);
  return out;
}

std::string EncodeNumberPageToken(int64_t last) { return EncodePageToken(std::to_string(last)); }

int64_t DecodeNumberPageToken(std::string_view token, std::string_view list) {
  const std::string text = DecodePageToken(token, list);
  if (text.empty()) return 0;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0)
    throw InvalidRequest({{"page_token", "is not a token of " + std::string(list) +
                                             "; pass the next_page_token of its previous page, or nothing for the "
                                             "first page"}});
  return value;
}

nebula::v1::AppSpec SpecAfterUpdate(const nebula::v1::App& current, const nebula::v1::UpdateAppRequest& request) {
  nebula::v1::AppSpec spec;
  if (request.update_mask().paths_size() == 0) {
    spec = request.app().spec();
  } else {
    ThrowIfAny(MaskViolations(request.update_mask()));
    nebula::v1::App merged = current;
    FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    FieldMaskUtil::MergeMessageTo(request.app(), request.update_mask(), options, &merged);
    spec = merged.spec();
  }
  spec = NormalizeSpec(std::move(spec));
  ThrowIfAny(ValidateAppSpec(spec, "app.spec"));
  return spec;
}

nebula::v1::AppSpec NormalizeSpec(nebula::v1::AppSpec spec) {
  spec.DiscardUnknownFields();  // nothing unvalidated reaches the agents
  if (spec.has_containers_per() && spec.containers_per().per_case() == nebula::v1::ContainersPer::PER_NOT_SET)
    spec.clear_containers_per();
  if (spec.has_update_strategy() && spec.update_strategy().ByteSizeLong() == 0) spec.clear_update_strategy();
  if (spec.has_resources() && spec.resources().ByteSizeLong() == 0) spec.clear_resources();
  return spec;
}

int PageLimit(int32_t page_size) {
  if (page_size < 0)
    throw InvalidRequest({{"page_size", "must be 0 (the default, " + std::to_string(kDefaultPageSize) +
                                            ") or positive; got " + std::to_string(page_size)}});
  if (page_size == 0) return kDefaultPageSize;
  return std::min(page_size, kMaxPageSize);
}

}  // namespace nebula::api_manager
