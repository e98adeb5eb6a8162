#include "api_service.h"

#include <spdlog/spdlog.h>

#include "app_requests.h"
#include "grpc_status.h"
#include "page_token.h"

namespace nebula::api_manager {
namespace {

// Who made a change, for app_revisions. Until authentication exists (BRIEF §7) that is the peer.
std::string ActorOf(const grpc::ServerContext& context) {
  std::string peer = context.peer();
  if (peer.size() > 200) peer.resize(200);
  return "anonymous@" + peer;
}

}  // namespace

grpc::Status ApiService::CreateApp(grpc::ServerContext* context, const nebula::v1::CreateAppRequest* request,
                                   nebula::v1::App* response) {
  return GuardedCall([&] {
    CheckCreateRequest(*request);
    *response = store_.Create(request->app().name(), NormalizeSpec(request->app().spec()), ActorOf(*context));
    spdlog::info("created app {} at generation {}", response->name(), response->generation());
  });
}

grpc::Status ApiService::GetApp(grpc::ServerContext*, const nebula::v1::GetAppRequest* request,
                                nebula::v1::App* response) {
  return GuardedCall([&] {
    CheckAppName(request->name(), "name");
    *response = store_.Get(request->name());
  });
}

grpc::Status ApiService::ListApps(grpc::ServerContext*, const nebula::v1::ListAppsRequest* request,
                                  nebula::v1::ListAppsResponse* response) {
  return GuardedCall([&] {
    int limit = PageLimit(request->page_size());
    std::string after = DecodePageToken(request->page_token());
    AppPage page = store_.List(after, limit);
    size_t bytes = 0;
    for (auto& app : page.apps) {
      bytes += app.ByteSizeLong();
      if (bytes > kMaxListResponseBytes && response->apps_size() > 0) {
        page.more = true;  // the rest comes with the next page
        break;
      }
      *response->add_apps() = std::move(app);
    }
    if (page.more && response->apps_size() > 0)
      response->set_next_page_token(EncodePageToken(response->apps(response->apps_size() - 1).name()));
  });
}

grpc::Status ApiService::UpdateApp(grpc::ServerContext* context, const nebula::v1::UpdateAppRequest* request,
                                   nebula::v1::App* response) {
  return GuardedCall([&] {
    CheckUpdateRequest(*request);
    *response = store_.Update(
        request->app().name(), request->expected_generation(),
        [&](const nebula::v1::App& current) { return SpecAfterUpdate(current, *request); }, ActorOf(*context));
    spdlog::info("updated app {} to generation {}", response->name(), response->generation());
  });
}

grpc::Status ApiService::DeleteApp(grpc::ServerContext* context, const nebula::v1::DeleteAppRequest* request,
                                   nebula::v1::DeleteAppResponse* response) {
  return GuardedCall([&] {
    CheckDeleteRequest(*request);
    response->set_generation(store_.Delete(request->name(), request->expected_generation(), ActorOf(*context)));
    spdlog::info("deleted app {} at generation {}", request->name(), response->generation());
  });
}

}  // namespace nebula::api_manager
