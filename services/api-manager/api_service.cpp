#include "api_service.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

#include "app_requests.h"
#include "grpc_status.h"
#include "page_token.h"
#include "validation.h"

namespace nebula::api_manager {
namespace {

// Who made a change, for app_revisions. Until authentication exists (BRIEF §7) that is the peer.
std::string ActorOf(const grpc::ServerContext& context) {
  std::string peer = context.peer();
  if (peer.size() > 200) peer.resize(200);
  return "anonymous@" + peer;
}

Micros NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Worker ids are whatever agents chose (--worker-id, default the hostname): only bounded here.
void CheckWorkerId(const std::string& id) {
  if (id.empty()) throw InvalidRequest({{"id", "required: the worker's id (ListWorkers shows them)"}});
  if (id.size() > 253) throw InvalidRequest({{"id", "at most 253 bytes"}});
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

grpc::Status ApiService::ListWorkers(grpc::ServerContext*, const nebula::v1::ListWorkersRequest* request,
                                     nebula::v1::ListWorkersResponse* response) {
  return GuardedCall([&] {
    int limit = PageLimit(request->page_size());
    std::string after = DecodePageToken(request->page_token());
    WorkerPage page = workers_.List(after, limit);
    const Micros now = NowMicros();
    size_t bytes = 0;
    for (const auto& stored : page.workers) {
      nebula::v1::Worker worker = WorkerFromStored(stored.report, stored.last_seen, now, settings_.lost_after);
      bytes += worker.ByteSizeLong();
      if (bytes > kMaxListResponseBytes && response->workers_size() > 0) {
        page.more = true;
        break;
      }
      *response->add_workers() = std::move(worker);
    }
    if (page.more && response->workers_size() > 0)
      response->set_next_page_token(EncodePageToken(response->workers(response->workers_size() - 1).id()));
  });
}

grpc::Status ApiService::GetWorker(grpc::ServerContext*, const nebula::v1::GetWorkerRequest* request,
                                   nebula::v1::Worker* response) {
  return GuardedCall([&] {
    CheckWorkerId(request->id());
    auto stored = workers_.Get(request->id());
    if (!stored)
      throw Error(ErrorCode::kNotFound,
                  "worker " + QuoteForMessage(request->id()) + " not found; ListWorkers shows the workers that reported");
    *response = WorkerFromStored(stored->report, stored->last_seen, NowMicros(), settings_.lost_after);
  });
}

nebula::v1::AppStatus ApiService::CurrentStatus(const std::string& app) {
  const int64_t generation = store_.Get(app).generation();  // NOT_FOUND for an unknown app
  return ComputeAppStatus(app, generation, workers_.HostsOf(app), NowMicros(), settings_.lost_after);
}

grpc::Status ApiService::GetAppStatus(grpc::ServerContext*, const nebula::v1::GetAppStatusRequest* request,
                                      nebula::v1::AppStatus* response) {
  return GuardedCall([&] {
    CheckAppName(request->name(), "name");
    *response = CurrentStatus(request->name());
  });
}

// Polls rather than listens: reports arrive every few seconds per worker anyway, and a poll of one
// app's rows is cheap. Ends with the status that finished the rollout, or when the client leaves.
grpc::Status ApiService::WatchAppStatus(grpc::ServerContext* context, const nebula::v1::WatchAppStatusRequest* request,
                                        grpc::ServerWriter<nebula::v1::AppStatus>* writer) {
  return GuardedCall([&] {
    CheckAppName(request->name(), "name");
    std::optional<nebula::v1::AppStatus> sent;
    while (!context->IsCancelled()) {
      nebula::v1::AppStatus status = CurrentStatus(request->name());
      if (!sent || !google::protobuf::util::MessageDifferencer::Equals(*sent, status)) {
        if (!writer->Write(status)) return;  // the client went away
        sent = status;
      }
      if (RolloutFinished(status)) return;
      std::this_thread::sleep_for(settings_.watch_poll);
    }
  });
}

}  // namespace nebula::api_manager
