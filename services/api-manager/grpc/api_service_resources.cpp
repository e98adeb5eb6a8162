// ApiService handlers of device groups, cron jobs, pruning and the audit trail (api_service.h).
#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <array>

#include "api-manager/grpc/api_service.h"
#include "api-manager/rules/app_requests.h"
#include "common/grpc_status.h"
#include "api-manager/rules/list_filter.h"
#include "api-manager/rules/page_token.h"
#include "api-manager/rules/resource_requests.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

constexpr std::array<std::string_view, 7> kAuditKinds = {"app",        "device_group", "cron_job", "user",
                                                         "user_group", "token",        "global"};

// A page of groups or cron jobs the caller may read, converted with to_proto and added with add.
template <class Proto, class ToProto, class Add>
std::string ListReadable(ResourceStore& store, ResourceKind kind, ObjectKind object_kind, const Caller& caller,
                         int32_t page_size, const std::string& page_token, ToProto&& to_proto, Add&& add) {
  int limit = PageLimit(page_size);
  const char* rpc = kind == ResourceKind::kDeviceGroup ? "ListDeviceGroups" : "ListCronJobs";
  auto page = CollectReadable<StoredObject>(
      DecodePageToken(page_token, rpc), limit, kMaxExaminedPerPage,
      [&](const std::string& after, int n) {
        ObjectPage stored = store.List(kind, after, n);
        return std::make_pair(std::move(stored.objects), stored.more);
      },
      [](const StoredObject& object) { return object.name; },
      [&](const StoredObject& object) { return caller.CanRead(object_kind, object.name); });
  TrimToBytes(
      page, kMaxListResponseBytes, [](const StoredObject& object) { return object.body.size() + 64; },
      [](const StoredObject& object) { return object.name; });
  for (const auto& object : page.items) add(to_proto(object));
  return page.next_after.empty() ? "" : EncodePageToken(page.next_after);
}

void CheckAuditQuery(const nebula::v1::ListAuditEventsRequest& request) {
  std::vector<FieldViolation> violations;
  if (!request.object_kind().empty() &&
      std::find(kAuditKinds.begin(), kAuditKinds.end(), request.object_kind()) == kAuditKinds.end())
    violations.push_back({"object_kind",
                          "must be empty (any) or one of app, device_group, cron_job, user, "
                          "user_group, token, global; got " +
                              QuoteForMessage(request.object_kind())});
  if (request.object_name().size() > 253)
    violations.push_back({"object_name", "at most 253 bytes; got " + std::to_string(request.object_name().size())});
  if (!violations.empty()) throw InvalidRequest(std::move(violations));
}

}  // namespace

// --- device groups

grpc::Status ApiService::CreateDeviceGroup(grpc::ServerContext* context,
                                           const nebula::v1::CreateDeviceGroupRequest* request,
                                           nebula::v1::DeviceGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckCreateDeviceGroupRequest(*request);
    const auto& group = request->device_group();
    RequireAccess(caller, ObjectKind::kDeviceGroup, group.name(), Access::kWrite);
    nebula::v1::DeviceGroup body = group;
    body.set_prune_generation(0);  // set by PruneDeviceGroup only
    *response = DeviceGroupFromStored(resources_.Create(ResourceKind::kDeviceGroup, group.name(), DeviceGroupBody(body),
                                                        {caller.user, "CreateDeviceGroup"}));
    spdlog::info("{} created device group {} at generation {}", caller.user, response->name(), response->generation());
  });
}

grpc::Status ApiService::GetDeviceGroup(grpc::ServerContext* context, const nebula::v1::GetDeviceGroupRequest* request,
                                        nebula::v1::DeviceGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckObjectName(request->name(), "name", "device group");
    RequireAccess(caller, ObjectKind::kDeviceGroup, request->name(), Access::kRead);
    *response = DeviceGroupFromStored(resources_.Get(ResourceKind::kDeviceGroup, request->name()));
  });
}

grpc::Status ApiService::ListDeviceGroups(grpc::ServerContext* context,
                                          const nebula::v1::ListDeviceGroupsRequest* request,
                                          nebula::v1::ListDeviceGroupsResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    response->set_next_page_token(ListReadable<nebula::v1::DeviceGroup>(
        resources_, ResourceKind::kDeviceGroup, ObjectKind::kDeviceGroup, caller, request->page_size(),
        request->page_token(), DeviceGroupFromStored,
        [&](nebula::v1::DeviceGroup group) { *response->add_device_groups() = std::move(group); }));
  });
}

grpc::Status ApiService::UpdateDeviceGroup(grpc::ServerContext* context,
                                           const nebula::v1::UpdateDeviceGroupRequest* request,
                                           nebula::v1::DeviceGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckUpdateDeviceGroupRequest(*request);
    const std::string& name = request->device_group().name();
    RequireAccess(caller, ObjectKind::kDeviceGroup, name, Access::kWrite);
    *response = DeviceGroupFromStored(
        resources_.Update(ResourceKind::kDeviceGroup, name, request->expected_generation(),
                          [&](const StoredObject& current) { return DeviceGroupBodyAfterUpdate(current, *request); },
                          {caller.user, "UpdateDeviceGroup"}));
    spdlog::info("{} updated device group {} to generation {}", caller.user, name, response->generation());
  });
}

grpc::Status ApiService::DeleteDeviceGroup(grpc::ServerContext* context,
                                           const nebula::v1::DeleteDeviceGroupRequest* request,
                                           nebula::v1::DeleteDeviceGroupResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckNameAndGeneration(request->name(), request->expected_generation(), "device group");
    RequireAccess(caller, ObjectKind::kDeviceGroup, request->name(), Access::kWrite);
    response->set_generation(resources_.Delete(ResourceKind::kDeviceGroup, request->name(),
                                               request->expected_generation(), false,
                                               {caller.user, "DeleteDeviceGroup"}));
    spdlog::info("{} deleted device group {} at generation {}", caller.user, request->name(), response->generation());
  });
}

grpc::Status ApiService::PruneDeviceGroup(grpc::ServerContext* context,
                                          const nebula::v1::PruneDeviceGroupRequest* request,
                                          nebula::v1::DeviceGroup* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckObjectName(request->name(), "name", "device group");
    RequireAccess(caller, ObjectKind::kDeviceGroup, request->name(), Access::kWrite);
    RequirePruning(caller);
    *response = DeviceGroupFromStored(resources_.Update(ResourceKind::kDeviceGroup, request->name(), 0,
                                                        DeviceGroupBodyPruned, {caller.user, "PruneDeviceGroup"}));
    spdlog::info("{} pruned device group {} (prune generation {})", caller.user, request->name(),
                 response->prune_generation());
  });
}

// --- cron jobs

grpc::Status ApiService::CreateCronJob(grpc::ServerContext* context, const nebula::v1::CreateCronJobRequest* request,
                                       nebula::v1::CronJob* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckCreateCronJobRequest(*request);
    const auto& job = request->cron_job();
    RequireAccess(caller, ObjectKind::kCronJob, job.name(), Access::kWrite);
    *response = CronJobFromStored(
        resources_.Create(ResourceKind::kCronJob, job.name(), CronJobBody(job), {caller.user, "CreateCronJob"}));
    spdlog::info("{} created cron job {} at generation {}", caller.user, response->name(), response->generation());
  });
}

grpc::Status ApiService::GetCronJob(grpc::ServerContext* context, const nebula::v1::GetCronJobRequest* request,
                                    nebula::v1::CronJob* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckObjectName(request->name(), "name", "cron job");
    RequireAccess(caller, ObjectKind::kCronJob, request->name(), Access::kRead);
    *response = CronJobFromStored(resources_.Get(ResourceKind::kCronJob, request->name()));
  });
}

grpc::Status ApiService::ListCronJobs(grpc::ServerContext* context, const nebula::v1::ListCronJobsRequest* request,
                                      nebula::v1::ListCronJobsResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    response->set_next_page_token(ListReadable<nebula::v1::CronJob>(
        resources_, ResourceKind::kCronJob, ObjectKind::kCronJob, caller, request->page_size(), request->page_token(),
        CronJobFromStored, [&](nebula::v1::CronJob job) { *response->add_cron_jobs() = std::move(job); }));
  });
}

grpc::Status ApiService::UpdateCronJob(grpc::ServerContext* context, const nebula::v1::UpdateCronJobRequest* request,
                                       nebula::v1::CronJob* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckUpdateCronJobRequest(*request);
    const std::string& name = request->cron_job().name();
    RequireAccess(caller, ObjectKind::kCronJob, name, Access::kWrite);
    *response = CronJobFromStored(
        resources_.Update(ResourceKind::kCronJob, name, request->expected_generation(),
                          [&](const StoredObject& current) { return CronJobBodyAfterUpdate(current, *request); },
                          {caller.user, "UpdateCronJob"}));
    spdlog::info("{} updated cron job {} to generation {}", caller.user, name, response->generation());
  });
}

grpc::Status ApiService::DeleteCronJob(grpc::ServerContext* context, const nebula::v1::DeleteCronJobRequest* request,
                                       nebula::v1::DeleteCronJobResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckNameAndGeneration(request->name(), request->expected_generation(), "cron job");
    RequireAccess(caller, ObjectKind::kCronJob, request->name(), Access::kWrite);
    response->set_generation(resources_.Delete(ResourceKind::kCronJob, request->name(), request->expected_generation(),
                                               request->force(), {caller.user, "DeleteCronJob"}));
    spdlog::info("{} deleted cron job {} at generation {}", caller.user, request->name(), response->generation());
  });
}

// --- global settings and the audit trail

grpc::Status ApiService::PruneAll(grpc::ServerContext* context, const nebula::v1::PruneAllRequest*,
                                  nebula::v1::GlobalSettings* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequirePruning(caller);
    *response = GlobalFromStored(resources_.Upsert(ResourceKind::kGlobal, std::string(kGlobalName), GlobalBodyPruned,
                                                   {caller.user, "PruneAll"}));
    spdlog::info("{} pruned every host (global prune generation {})", caller.user, response->prune_generation());
  });
}

grpc::Status ApiService::ListAuditEvents(grpc::ServerContext* context,
                                         const nebula::v1::ListAuditEventsRequest* request,
                                         nebula::v1::ListAuditEventsResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    RequireAdmin(caller, "ListAuditEvents");
    CheckAuditQuery(*request);
    AuditQuery query{request->object_kind(), request->object_name(),
                     DecodeNumberPageToken(request->page_token(), "ListAuditEvents"), PageLimit(request->page_size())};
    AuditPage page = resources_.ListAuditEvents(query);
    for (const auto& row : page.events) {
      auto* event = response->add_events();
      event->set_id(row.id);
      *event->mutable_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.time_us);
      event->set_actor(row.actor);
      event->set_action(row.action);
      event->set_object_kind(row.object_kind);
      event->set_object_name(row.object_name);
      event->set_generation(row.generation);
    }
    if (page.more && response->events_size() > 0)
      response->set_next_page_token(EncodeNumberPageToken(response->events(response->events_size() - 1).id()));
  });
}

}  // namespace nebula::api_manager
