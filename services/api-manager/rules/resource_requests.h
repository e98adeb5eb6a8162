// The request rules of device groups, cron jobs and the global settings (pure): what a well-formed
// request is, how a partial update merges with the stored object, and how the stored body (the
// object without name, generation and times) maps to the API message.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "nebula/v1/api_manager.pb.h"
#include "api-manager/store/resource_store.h"

namespace nebula::api_manager {

// A group lists at most this many apps and as many cron jobs (the whole group travels in one record).
inline constexpr int kMaxGroupMembers = 1000;

// Names of groups and cron jobs follow the app rule (DNS label). kind_label e.g. "device group".
void CheckObjectName(std::string_view name, std::string_view field, std::string_view kind_label);
// name + expected_generation of Delete*/Prune* requests.
void CheckNameAndGeneration(std::string_view name, int64_t expected_generation, std::string_view kind_label);

// --- device groups
void CheckCreateDeviceGroupRequest(const nebula::v1::CreateDeviceGroupRequest& request);
void CheckUpdateDeviceGroupRequest(const nebula::v1::UpdateDeviceGroupRequest& request);
// Member names well-formed, not repeated, bounded; fields "<prefix>.apps[i]" / "<prefix>.cron_jobs[i]".
std::vector<FieldViolation> GroupMemberViolations(const nebula::v1::DeviceGroup& group, std::string_view prefix);

std::string DeviceGroupBody(const nebula::v1::DeviceGroup& group);
std::string DeviceGroupBodyAfterUpdate(const StoredObject& current,
                                       const nebula::v1::UpdateDeviceGroupRequest& request);
std::string DeviceGroupBodyPruned(const StoredObject& current);
// The body without the app (member_kind "app") or cron job ("cron_job") named member.
std::string DeviceGroupBodyWithout(const std::string& body, std::string_view member_kind, std::string_view member);
GroupMembers MembersOfDeviceGroupBody(const std::string& body);
nebula::v1::DeviceGroup DeviceGroupFromStored(const StoredObject& stored);

// --- cron jobs
void CheckCreateCronJobRequest(const nebula::v1::CreateCronJobRequest& request);
void CheckUpdateCronJobRequest(const nebula::v1::UpdateCronJobRequest& request);
// Every problem of a whole job (schedule, spec); fields under prefix, e.g. "cron_job".
std::vector<FieldViolation> CronJobViolations(const nebula::v1::CronJob& job, std::string_view prefix);

std::string CronJobBody(const nebula::v1::CronJob& job);  // normalized
std::string CronJobBodyAfterUpdate(const StoredObject& current, const nebula::v1::UpdateCronJobRequest& request);
nebula::v1::CronJob CronJobFromStored(const StoredObject& stored);

// --- global settings (key "global")
inline constexpr std::string_view kGlobalName = "global";
std::string GlobalBodyPruned(const StoredObject& current);
nebula::v1::GlobalSettings GlobalFromStored(const StoredObject& stored);

}  // namespace nebula::api_manager
