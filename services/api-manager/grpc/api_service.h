// The ApiManager gRPC service: authenticates the caller and checks its access (docs/architecture.md "Security"), checks
// each request, lets the stores write it in one transaction, and maps every failure to a status that
// says what to fix (nebula::GuardedCall). Handlers of apps and workers live in api_service.cpp, those
// of device groups, cron jobs, pruning and the audit trail in api_service_resources.cpp.
#pragma once

#include <chrono>

#include "api-manager/access/caller.h"
#include "api-manager/store/app_store.h"
#include "api-manager/grpc/blocking_call_pool.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "api-manager/store/resource_store.h"
#include "api-manager/store/worker_store.h"

namespace nebula::api_manager {

struct WorkerSettings {
  std::chrono::seconds lost_after{90};        // --worker-lost-seconds
  std::chrono::milliseconds watch_poll{500};  // how often WatchAppStatus re-reads the status
};

class ApiService final : public nebula::v1::ApiManager::WithCallbackMethod_GetApp<nebula::v1::ApiManager::Service> {
 public:
  ApiService(AppStore& store, ResourceStore& resources, WorkerStore& workers, Authenticator& authenticator,
             WorkerSettings settings = {})
      : store_(store), resources_(resources), workers_(workers), authenticator_(authenticator), settings_(settings) {}

  grpc::Status CreateApp(grpc::ServerContext* context, const nebula::v1::CreateAppRequest* request,
                         nebula::v1::App* response) override;
  // The hot read: gRPC's callback API (measured to cost half the CPU of a sync call,
  // docs/benchmarks.md), answered inline when nothing can block, else on blocking_.
  grpc::ServerUnaryReactor* GetApp(grpc::CallbackServerContext* context, const nebula::v1::GetAppRequest* request,
                                   nebula::v1::App* response) override;
  grpc::Status ListApps(grpc::ServerContext* context, const nebula::v1::ListAppsRequest* request,
                        nebula::v1::ListAppsResponse* response) override;
  grpc::Status UpdateApp(grpc::ServerContext* context, const nebula::v1::UpdateAppRequest* request,
                         nebula::v1::App* response) override;
  grpc::Status DeleteApp(grpc::ServerContext* context, const nebula::v1::DeleteAppRequest* request,
                         nebula::v1::DeleteAppResponse* response) override;
  grpc::Status StartApp(grpc::ServerContext* context, const nebula::v1::StartAppRequest* request,
                        nebula::v1::App* response) override;
  grpc::Status StopApp(grpc::ServerContext* context, const nebula::v1::StopAppRequest* request,
                       nebula::v1::App* response) override;
  grpc::Status RestartApp(grpc::ServerContext* context, const nebula::v1::RestartAppRequest* request,
                          nebula::v1::App* response) override;
  grpc::Status PullApp(grpc::ServerContext* context, const nebula::v1::PullAppRequest* request,
                       nebula::v1::App* response) override;
  grpc::Status ListAppRevisions(grpc::ServerContext* context, const nebula::v1::ListAppRevisionsRequest* request,
                                nebula::v1::ListAppRevisionsResponse* response) override;
  grpc::Status RollbackApp(grpc::ServerContext* context, const nebula::v1::RollbackAppRequest* request,
                           nebula::v1::App* response) override;
  grpc::Status CreateDeviceGroup(grpc::ServerContext* context, const nebula::v1::CreateDeviceGroupRequest* request,
                                 nebula::v1::DeviceGroup* response) override;
  grpc::Status GetDeviceGroup(grpc::ServerContext* context, const nebula::v1::GetDeviceGroupRequest* request,
                              nebula::v1::DeviceGroup* response) override;
  grpc::Status ListDeviceGroups(grpc::ServerContext* context, const nebula::v1::ListDeviceGroupsRequest* request,
                                nebula::v1::ListDeviceGroupsResponse* response) override;
  grpc::Status UpdateDeviceGroup(grpc::ServerContext* context, const nebula::v1::UpdateDeviceGroupRequest* request,
                                 nebula::v1::DeviceGroup* response) override;
  grpc::Status DeleteDeviceGroup(grpc::ServerContext* context, const nebula::v1::DeleteDeviceGroupRequest* request,
                                 nebula::v1::DeleteDeviceGroupResponse* response) override;
  grpc::Status PruneDeviceGroup(grpc::ServerContext* context, const nebula::v1::PruneDeviceGroupRequest* request,
                                nebula::v1::DeviceGroup* response) override;
  grpc::Status CreateCronJob(grpc::ServerContext* context, const nebula::v1::CreateCronJobRequest* request,
                             nebula::v1::CronJob* response) override;
  grpc::Status GetCronJob(grpc::ServerContext* context, const nebula::v1::GetCronJobRequest* request,
                          nebula::v1::CronJob* response) override;
  grpc::Status ListCronJobs(grpc::ServerContext* context, const nebula::v1::ListCronJobsRequest* request,
                            nebula::v1::ListCronJobsResponse* response) override;
  grpc::Status UpdateCronJob(grpc::ServerContext* context, const nebula::v1::UpdateCronJobRequest* request,
                             nebula::v1::CronJob* response) override;
  grpc::Status DeleteCronJob(grpc::ServerContext* context, const nebula::v1::DeleteCronJobRequest* request,
                             nebula::v1::DeleteCronJobResponse* response) override;
  grpc::Status PruneAll(grpc::ServerContext* context, const nebula::v1::PruneAllRequest* request,
                        nebula::v1::GlobalSettings* response) override;
  grpc::Status ListAuditEvents(grpc::ServerContext* context, const nebula::v1::ListAuditEventsRequest* request,
                               nebula::v1::ListAuditEventsResponse* response) override;
  grpc::Status ListWorkers(grpc::ServerContext* context, const nebula::v1::ListWorkersRequest* request,
                           nebula::v1::ListWorkersResponse* response) override;
  grpc::Status GetWorker(grpc::ServerContext* context, const nebula::v1::GetWorkerRequest* request,
                         nebula::v1::Worker* response) override;
  grpc::Status GetAppStatus(grpc::ServerContext* context, const nebula::v1::GetAppStatusRequest* request,
                            nebula::v1::AppStatus* response) override;
  grpc::Status WatchAppStatus(grpc::ServerContext* context, const nebula::v1::WatchAppStatusRequest* request,
                              grpc::ServerWriter<nebula::v1::AppStatus>* writer) override;

 private:
  // Worker.unknown_apps: what it reports on that the store has no live app of.
  void NameUnknownApps(nebula::v1::Worker& worker);
  nebula::v1::AppStatus CurrentStatus(const std::string& app);
  // The caller of this request, from its "authorization" metadata (kUnauthenticated if refused).
  Caller Authenticate(const grpc::ServerContext& context);
  // A write to an app through a spec change, with the caller's rw access checked first.
  nebula::v1::App ChangeApp(const Caller& caller, const std::string& name, int64_t expected_generation,
                            const char* action, const SpecChange& change);

  AppStore& store_;
  ResourceStore& resources_;
  WorkerStore& workers_;
  Authenticator& authenticator_;
  WorkerSettings settings_;
  BlockingCallPool blocking_{8};  // last: destroyed (drained) first
};

}  // namespace nebula::api_manager
