// The ApiManager gRPC service: checks each request, lets the AppStore write it in one transaction,
// maps every failure to a status that says what to fix (nebula::GuardedCall).
#pragma once

#include <chrono>

#include "app_store.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "worker_store.h"

namespace nebula::api_manager {

struct WorkerSettings {
  std::chrono::seconds lost_after{90};        // --worker-lost-seconds
  std::chrono::milliseconds watch_poll{500};  // how often WatchAppStatus re-reads the status
};

class ApiService final : public nebula::v1::ApiManager::Service {
 public:
  ApiService(AppStore& store, WorkerStore& workers, WorkerSettings settings = {})
      : store_(store), workers_(workers), settings_(settings) {}

  grpc::Status CreateApp(grpc::ServerContext* context, const nebula::v1::CreateAppRequest* request,
                         nebula::v1::App* response) override;
  grpc::Status GetApp(grpc::ServerContext* context, const nebula::v1::GetAppRequest* request,
                      nebula::v1::App* response) override;
  grpc::Status ListApps(grpc::ServerContext* context, const nebula::v1::ListAppsRequest* request,
                        nebula::v1::ListAppsResponse* response) override;
  grpc::Status UpdateApp(grpc::ServerContext* context, const nebula::v1::UpdateAppRequest* request,
                         nebula::v1::App* response) override;
  grpc::Status DeleteApp(grpc::ServerContext* context, const nebula::v1::DeleteAppRequest* request,
                         nebula::v1::DeleteAppResponse* response) override;
  grpc::Status ListWorkers(grpc::ServerContext* context, const nebula::v1::ListWorkersRequest* request,
                           nebula::v1::ListWorkersResponse* response) override;
  grpc::Status GetWorker(grpc::ServerContext* context, const nebula::v1::GetWorkerRequest* request,
                         nebula::v1::Worker* response) override;
  grpc::Status GetAppStatus(grpc::ServerContext* context, const nebula::v1::GetAppStatusRequest* request,
                            nebula::v1::AppStatus* response) override;
  grpc::Status WatchAppStatus(grpc::ServerContext* context, const nebula::v1::WatchAppStatusRequest* request,
                              grpc::ServerWriter<nebula::v1::AppStatus>* writer) override;

 private:
  nebula::v1::AppStatus CurrentStatus(const std::string& app);

  AppStore& store_;
  WorkerStore& workers_;
  WorkerSettings settings_;
};

}  // namespace nebula::api_manager
