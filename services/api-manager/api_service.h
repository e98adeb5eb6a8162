// The ApiManager gRPC service: checks each request, lets the AppStore write it in one transaction,
// maps every failure to a status that says what to fix (nebula::GuardedCall).
#pragma once

#include "app_store.h"
#include "nebula/v1/api_manager.grpc.pb.h"

namespace nebula::api_manager {

class ApiService final : public nebula::v1::ApiManager::Service {
 public:
  explicit ApiService(AppStore& store) : store_(store) {}

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

 private:
  AppStore& store_;
};

}  // namespace nebula::api_manager
