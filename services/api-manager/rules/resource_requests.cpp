#include "api-manager/rules/resource_requests.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include <set>

#include "api-manager/rules/app_requests.h"
#include "api-manager/rules/cron_schedule.h"
#include "api-manager/rules/desired_records.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

using google::protobuf::util::FieldMaskUtil;
using google::protobuf::util::TimeUtil;
using nebula::v1::CronJob;
using nebula::v1::DeviceGroup;

void ThrowIfAny(std::vector<FieldViolation> violations) {
  if (!violations.empty()) throw InvalidRequest(std::move(violations));
}

void Append(std::vector<FieldViolation>& to, std::vector<FieldViolation> from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

std::vector<FieldViolation> NameViolations(std::string_view name, std::string_view field, std::string_view label) {
  if (auto problem = DnsLabelProblem(name)) return {{std::string(field), std::string(label) + " name " + *problem}};
  return {};
}

// Paths allowed in a mask, each a field name (or a prefix "x." if nested paths are allowed).
std::vector<FieldViolation> MaskViolations(const google::protobuf::FieldMask& mask,
                                           const std::vector<std::string>& allowed, bool allow_spec_paths,
                                           const std::string& hint) {
  if (mask.paths_size() > kMaxMaskPaths)
    return {{"update_mask.paths", "at most " + std::to_string(kMaxMaskPaths) + " paths are allowed; got " +
                                      std::to_string(mask.paths_size())}};
  std::vector<FieldViolation> violations;
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    bool ok = std::find(allowed.begin(), allowed.end(), path) != allowed.end() ||
              (allow_spec_paths && path.rfind("spec.", 0) == 0 && FieldMaskUtil::IsValidPath<CronJob>(path));
    if (!ok)
      violations.push_back({"update_mask.paths[" + std::to_string(i) + "]", hint + "; got " + QuoteForMessage(path)});
  }
  return violations;
}

std::vector<FieldViolation> NameListViolations(const google::protobuf::RepeatedPtrField<std::string>& names,
                                               const std::string& field, std::string_view label) {
  std::vector<FieldViolation> violations;
  if (names.size() > kMaxGroupMembers) {
    return {{field, "at most " + std::to_string(kMaxGroupMembers) + " entries are allowed; got " +
                        std::to_string(names.size())}};
  }
  std::set<std::string_view> seen;
  for (int i = 0; i < names.size(); ++i) {
    std::string item = field + "[" + std::to_string(i) + "]";
    Append(violations, NameViolations(names[i], item, label));
    if (!seen.insert(names[i]).second)
      violations.push_back(
          {item, QuoteForMessage(names[i]) + " is listed twice; list each " + std::string(label) + " once"});
  }
  return violations;
}

DeviceGroup ParseGroupBody(const std::string& body) {
  DeviceGroup group;
  if (!group.ParseFromString(body)) throw Error(ErrorCode::kInternal, "a stored device group is unreadable");
  return group;
}

CronJob ParseCronBody(const std::string& body) {
  CronJob job;
  if (!job.ParseFromString(body)) throw Error(ErrorCode::kInternal, "a stored cron job is unreadable");
  return job;
}

nebula::v1::CronJobSpec NormalizeCronSpec(nebula::v1::CronJobSpec spec) {
  spec.DiscardUnknownFields();
  if (spec.has_resources() && spec.resources().ByteSizeLong() == 0) spec.clear_resources();
  return spec;
}

// The container part of a cron job follows the app rules; same field names, so violations read
// "cron_job.spec.env[...]".
nebula::v1::AppSpec AsAppSpec(const nebula::v1::CronJobSpec& spec) {
  nebula::v1::AppSpec app;
  app.set_image(spec.image());
  *app.mutable_env() = spec.env();
  *app.mutable_volumes() = spec.volumes();
  *app.mutable_devices() = spec.devices();
  app.set_privileged(spec.privileged());
  *app.mutable_networks() = spec.networks();
  *app.mutable_command() = spec.command();
  *app.mutable_args() = spec.args();
  if (spec.has_resources()) *app.mutable_resources() = spec.resources();
  app.set_pull_policy(spec.pull_policy());
  return app;
}

void SetTimes(const StoredObject& stored, google::protobuf::Timestamp* create, google::protobuf::Timestamp* update) {
  *create = TimeUtil::MicrosecondsToTimestamp(stored.create_us);
  *update = TimeUtil::MicrosecondsToTimestamp(stored.update_us);
}

}  // namespace

void CheckObjectName(std::string_view name, std::string_view field, std::string_view kind_label) {
  ThrowIfAny(NameViolations(name, field, kind_label));
}

void CheckNameAndGeneration(std::string_view name, int64_t expected_generation, std::string_view kind_label) {
  std::vector<FieldViolation> violations = NameViolations(name, "name", kind_label);
  Append(violations, ExpectedGenerationViolations(expected_generation));
  ThrowIfAny(std::move(violations));
}

std::vector<FieldViolation> GroupMemberViolations(const DeviceGroup& group, std::string_view prefix) {
  std::vector<FieldViolation> violations = NameListViolations(group.apps(), std::string(prefix) + ".apps", "app");
  Append(violations, NameListViolations(group.cron_jobs(), std::string(prefix) + ".cron_jobs", "cron job"));
  return violations;
}

void CheckCreateDeviceGroupRequest(const nebula::v1::CreateDeviceGroupRequest& request) {
  std::vector<FieldViolation> violations =
      NameViolations(request.device_group().name(), "device_group.name", "device group");
  Append(violations, GroupMemberViolations(request.device_group(), "device_group"));
  ThrowIfAny(std::move(violations));
}

void CheckUpdateDeviceGroupRequest(const nebula::v1::UpdateDeviceGroupRequest& request) {
  std::vector<FieldViolation> violations =
      NameViolations(request.device_group().name(), "device_group.name", "device group");
  Append(violations, ExpectedGenerationViolations(request.expected_generation()));
  Append(violations, MaskViolations(request.update_mask(), {"apps", "cron_jobs"}, false,
                                    "a device group's updatable fields are \"apps\" and \"cron_jobs\""));
  Append(violations, GroupMemberViolations(request.device_group(), "device_group"));
  ThrowIfAny(std::move(violations));
}

std::string DeviceGroupBody(const DeviceGroup& group) {
  DeviceGroup body;
  *body.mutable_apps() = group.apps();
  *body.mutable_cron_jobs() = group.cron_jobs();
  body.set_prune_generation(group.prune_generation());
  return SerializeDeterministic(body);
}

std::string DeviceGroupBodyAfterUpdate(const StoredObject& current,
                                       const nebula::v1::UpdateDeviceGroupRequest& request) {
  DeviceGroup group = ParseGroupBody(current.body);
  const auto& mask = request.update_mask();
  auto masked = [&](const char* path) {
    return mask.paths_size() == 0 || std::find(mask.paths().begin(), mask.paths().end(), path) != mask.paths().end();
  };
  if (masked("apps")) *group.mutable_apps() = request.device_group().apps();
  if (masked("cron_jobs")) *group.mutable_cron_jobs() = request.device_group().cron_jobs();
  return DeviceGroupBody(group);
}

std::string DeviceGroupBodyPruned(const StoredObject& current) {
  DeviceGroup group = ParseGroupBody(current.body);
  group.set_prune_generation(group.prune_generation() + 1);
  return DeviceGroupBody(group);
}

std::string DeviceGroupBodyWithout(const std::string& body, std::string_view member_kind, std::string_view member) {
  DeviceGroup group = ParseGroupBody(body);
  auto* list = member_kind == "app" ? group.mutable_apps() : group.mutable_cron_jobs();
  list->erase(std::remove(list->begin(), list->end(), member), list->end());
  return DeviceGroupBody(group);
}

GroupMembers MembersOfDeviceGroupBody(const std::string& body) {
  DeviceGroup group = ParseGroupBody(body);
  return {{group.apps().begin(), group.apps().end()}, {group.cron_jobs().begin(), group.cron_jobs().end()}};
}

DeviceGroup DeviceGroupFromStored(const StoredObject& stored) {
  DeviceGroup group = ParseGroupBody(stored.body);
  group.set_name(stored.name);
  group.set_generation(stored.generation);
  SetTimes(stored, group.mutable_create_time(), group.mutable_update_time());
  return group;
}

std::vector<FieldViolation> CronJobViolations(const CronJob& job, std::string_view prefix) {
  const std::string p(prefix);
  std::vector<FieldViolation> violations = ParseCronSchedule(job.schedule(), p + ".schedule").violations;
  if (!job.has_spec()) {
    violations.push_back({p + ".spec", "is required: at least an image, e.g. {\"image\": \"busybox:1\"}"});
  } else {
    Append(violations, ValidateAppSpec(AsAppSpec(NormalizeCronSpec(job.spec())), p + ".spec"));
  }
  return violations;
}

void CheckCreateCronJobRequest(const nebula::v1::CreateCronJobRequest& request) {
  std::vector<FieldViolation> violations = NameViolations(request.cron_job().name(), "cron_job.name", "cron job");
  Append(violations, CronJobViolations(request.cron_job(), "cron_job"));
  ThrowIfAny(std::move(violations));
}

void CheckUpdateCronJobRequest(const nebula::v1::UpdateCronJobRequest& request) {
  std::vector<FieldViolation> violations = NameViolations(request.cron_job().name(), "cron_job.name", "cron job");
  Append(violations, ExpectedGenerationViolations(request.expected_generation()));
  if (request.update_mask().paths_size() > 0) {
    Append(violations, MaskViolations(request.update_mask(), {"schedule", "running", "spec"}, true,
                                      "a cron job's updatable fields are \"schedule\", \"running\", \"spec\" and "
                                      "paths under spec such as \"spec.env\""));
  } else {
    Append(violations, CronJobViolations(request.cron_job(), "cron_job"));
  }
  ThrowIfAny(std::move(violations));
}

std::string CronJobBody(const CronJob& job) {
  CronJob body;
  body.set_schedule(job.schedule());
  if (job.has_spec()) *body.mutable_spec() = NormalizeCronSpec(job.spec());
  if (job.has_running()) body.set_running(job.running());
  return SerializeDeterministic(body);
}

std::string CronJobBodyAfterUpdate(const StoredObject& current, const nebula::v1::UpdateCronJobRequest& request) {
  CronJob job;
  if (request.update_mask().paths_size() == 0) {
    job = request.cron_job();
  } else {
    job = ParseCronBody(current.body);
    job.set_name(request.cron_job().name());
    FieldMaskUtil::MergeOptions options;
    options.set_replace_message_fields(true);
    options.set_replace_repeated_fields(true);
    FieldMaskUtil::MergeMessageTo(request.cron_job(), request.update_mask(), options, &job);
  }
  ThrowIfAny(CronJobViolations(job, "cron_job"));
  return CronJobBody(job);
}

CronJob CronJobFromStored(const StoredObject& stored) {
  CronJob job = ParseCronBody(stored.body);
  job.set_name(stored.name);
  job.set_generation(stored.generation);
  SetTimes(stored, job.mutable_create_time(), job.mutable_update_time());
  return job;
}

std::string GlobalBodyPruned(const StoredObject& current) {
  nebula::v1::GlobalSettings global = GlobalFromStored(current);
  global.set_prune_generation(global.prune_generation() + 1);
  return SerializeDeterministic(global);
}

nebula::v1::GlobalSettings GlobalFromStored(const StoredObject& stored) {
  nebula::v1::GlobalSettings global;
  if (!global.ParseFromString(stored.body))
    throw Error(ErrorCode::kInternal, "the stored global settings are unreadable");
  return global;
}

}  // namespace nebula::api_manager
