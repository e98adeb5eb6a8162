#include "api-manager/grpc/api_service.h"

#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <thread>

#include "api-manager/access/authenticate_call.h"
#include "api-manager/rules/app_requests.h"
#include "common/grpc_status.h"
#include "api-manager/rules/list_filter.h"
#include "api-manager/rules/page_token.h"
#include "common/validation.h"

namespace nebula::api_manager {
namespace {

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

Caller ApiService::Authenticate(const grpc::ServerContext& context) {
  return AuthenticateCall(authenticator_, context);
}

grpc::Status ApiService::CreateApp(grpc::ServerContext* context, const nebula::v1::CreateAppRequest* request,
                                   nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckCreateRequest(*request);
    RequireAccess(caller, ObjectKind::kApp, request->app().name(), Access::kWrite);
    *response = store_.Create(request->app().name(), NormalizeSpec(request->app().spec()), {caller.user, "CreateApp"});
    spdlog::info("{} created app {} at generation {}", caller.user, response->name(), response->generation());
  });
}

grpc::ServerUnaryReactor* ApiService::GetApp(grpc::CallbackServerContext* context,
                                             const nebula::v1::GetAppRequest* request, nebula::v1::App* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  auto answer = [this, context, request, response, reactor] {
    reactor->Finish(GuardedCall([&] {
      Caller caller = AuthenticateCall(authenticator_, *context);
      CheckAppName(request->name(), "name");
      RequireAccess(caller, ObjectKind::kApp, request->name(), Access::kRead);
      *response = store_.Get(request->name());
    }));
  };
  // A database round trip or a password hash must not stall gRPC's event threads.
  if (authenticator_.NeverBlocks() && store_.ReadsFromMemory()) {
    answer();
  } else {
    blocking_.Submit(std::move(answer));
  }
  return reactor;
}

grpc::Status ApiService::ListApps(grpc::ServerContext* context, const nebula::v1::ListAppsRequest* request,
                                  nebula::v1::ListAppsResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    int limit = PageLimit(request->page_size());
    auto page = CollectReadable<nebula::v1::App>(
        DecodePageToken(request->page_token(), "ListApps"), limit, kMaxExaminedPerPage,
        [&](const std::string& after, int n) {
          AppPage stored = store_.List(after, n);
          return std::make_pair(std::move(stored.apps), stored.more);
        },
        [](const nebula::v1::App& app) { return app.name(); },
        [&](const nebula::v1::App& app) { return caller.CanRead(ObjectKind::kApp, app.name()); });
    TrimToBytes(
        page, kMaxListResponseBytes, [](const nebula::v1::App& app) { return app.ByteSizeLong(); },
        [](const nebula::v1::App& app) { return app.name(); });
    for (auto& app : page.items) *response->add_apps() = std::move(app);
    if (!page.next_after.empty()) response->set_next_page_token(EncodePageToken(page.next_after));
  });
}

grpc::Status ApiService::UpdateApp(grpc::ServerContext* context, const nebula::v1::UpdateAppRequest* request,
                                   nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckUpdateRequest(*request);
    *response = ChangeApp(caller, request->app().name(), request->expected_generation(), "UpdateApp",
                          [&](const nebula::v1::App& current) { return SpecAfterUpdate(current, *request); });
  });
}

nebula::v1::App ApiService::ChangeApp(const Caller& caller, const std::string& name, int64_t expected_generation,
                                      const char* action, const SpecChange& change) {
  RequireAccess(caller, ObjectKind::kApp, name, Access::kWrite);
  nebula::v1::App app = store_.Update(name, expected_generation, change, {caller.user, action});
  spdlog::info("{} {}: app {} now at generation {}", caller.user, action, name, app.generation());
  return app;
}

grpc::Status ApiService::DeleteApp(grpc::ServerContext* context, const nebula::v1::DeleteAppRequest* request,
                                   nebula::v1::DeleteAppResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckDeleteRequest(*request);
    RequireAccess(caller, ObjectKind::kApp, request->name(), Access::kWrite);
    response->set_generation(
        store_.Delete(request->name(), request->expected_generation(), request->force(), {caller.user, "DeleteApp"}));
    spdlog::info("{} deleted app {} at generation {}", caller.user, request->name(), response->generation());
  });
}

grpc::Status ApiService::StartApp(grpc::ServerContext* context, const nebula::v1::StartAppRequest* request,
                                  nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppVerbRequest(request->name(), request->expected_generation());
    *response = ChangeApp(caller, request->name(), request->expected_generation(), "StartApp",
                          [](const nebula::v1::App& current) { return SpecWithRunning(current.spec(), true); });
  });
}

grpc::Status ApiService::StopApp(grpc::ServerContext* context, const nebula::v1::StopAppRequest* request,
                                 nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppVerbRequest(request->name(), request->expected_generation());
    *response = ChangeApp(caller, request->name(), request->expected_generation(), "StopApp",
                          [](const nebula::v1::App& current) { return SpecWithRunning(current.spec(), false); });
  });
}

grpc::Status ApiService::RestartApp(grpc::ServerContext* context, const nebula::v1::RestartAppRequest* request,
                                    nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppVerbRequest(request->name(), request->expected_generation());
    std::optional<bool> rolling;
    if (request->has_rolling()) rolling = request->rolling();
    *response = ChangeApp(caller, request->name(), request->expected_generation(), "RestartApp",
                          [&](const nebula::v1::App& current) { return SpecRestarted(current.spec(), rolling); });
  });
}

grpc::Status ApiService::PullApp(grpc::ServerContext* context, const nebula::v1::PullAppRequest* request,
                                 nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppVerbRequest(request->name(), request->expected_generation());
    *response = ChangeApp(caller, request->name(), request->expected_generation(), "PullApp",
                          [](const nebula::v1::App& current) { return SpecPulled(current.spec()); });
  });
}

grpc::Status ApiService::ListAppRevisions(grpc::ServerContext* context,
                                          const nebula::v1::ListAppRevisionsRequest* request,
                                          nebula::v1::ListAppRevisionsResponse* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppName(request->name(), "name");
    int limit = PageLimit(request->page_size());
    int64_t before = DecodeNumberPageToken(request->page_token(), "ListAppRevisions");
    RequireAccess(caller, ObjectKind::kApp, request->name(), Access::kRead);
    RevisionPage page = store_.ListRevisions(request->name(), before, limit);
    if (page.revisions.empty() && before == 0)
      throw Error(ErrorCode::kNotFound,
                  "app " + QuoteForMessage(request->name()) + " has no revisions: it never existed");
    size_t bytes = 0;
    for (const auto& revision : page.revisions) {
      nebula::v1::AppRevision out = RevisionToProto(request->name(), revision);
      bytes += out.ByteSizeLong();
      if (bytes > kMaxListResponseBytes && response->revisions_size() > 0) {
        page.more = true;
        break;
      }
      *response->add_revisions() = std::move(out);
    }
    if (page.more && response->revisions_size() > 0)
      response->set_next_page_token(
          EncodeNumberPageToken(response->revisions(response->revisions_size() - 1).generation()));
  });
}

grpc::Status ApiService::RollbackApp(grpc::ServerContext* context, const nebula::v1::RollbackAppRequest* request,
                                     nebula::v1::App* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckRollbackRequest(*request);
    RequireAccess(caller, ObjectKind::kApp, request->name(), Access::kWrite);
    // Revisions never change once written, so reading the target outside the write transaction is safe.
    nebula::v1::AppSpec spec = SpecForRollback(request->name(), request->generation(),
                                               store_.GetRevision(request->name(), request->generation()));
    *response =
        store_.Update(request->name(), request->expected_generation(), [&](const nebula::v1::App&) { return spec; },
                      {caller.user, "RollbackApp", request->generation()});
    spdlog::info("{} rolled app {} back to the spec of generation {} (now generation {})", caller.user, request->name(),
                 request->generation(), response->generation());
  });
}

grpc::Status ApiService::ListWorkers(grpc::ServerContext* context, const nebula::v1::ListWorkersRequest* request,
                                     nebula::v1::ListWorkersResponse* response) {
  return GuardedCall([&] {
    Authenticate(*context);  // any authenticated caller
    int limit = PageLimit(request->page_size());
    std::string after = DecodeIdPageToken(request->page_token(), "ListWorkers");
    WorkerPage page = workers_.List(after, limit);
    const Micros now = NowMicros();
    size_t bytes = 0;
    for (const auto& stored : page.workers) {
      nebula::v1::Worker worker = WorkerFromStored(stored.report, stored.last_seen, now, settings_.lost_after);
      NameUnknownApps(worker);
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

grpc::Status ApiService::GetWorker(grpc::ServerContext* context, const nebula::v1::GetWorkerRequest* request,
                                   nebula::v1::Worker* response) {
  return GuardedCall([&] {
    Authenticate(*context);  // any authenticated caller
    CheckWorkerId(request->id());
    auto stored = workers_.Get(request->id());
    if (!stored)
      throw Error(ErrorCode::kNotFound, "worker " + QuoteForMessage(request->id()) +
                                            " not found; ListWorkers shows the workers that reported");
    *response = WorkerFromStored(stored->report, stored->last_seen, NowMicros(), settings_.lost_after);
    NameUnknownApps(*response);
  });
}

void ApiService::NameUnknownApps(nebula::v1::Worker& worker) {
  auto live = [&](const std::string& app) {
    try {
      store_.Get(app);
      return true;
    } catch (const Error& e) {
      if (e.code() == ErrorCode::kNotFound) return false;
      throw;
    }
  };
  for (auto& app : UnknownApps(worker, live)) worker.add_unknown_apps(std::move(app));
}

nebula::v1::AppStatus ApiService::CurrentStatus(const std::string& app) {
  const int64_t generation = store_.Get(app).generation();  // NOT_FOUND for an unknown app
  return ComputeAppStatus(app, generation, workers_.HostsOf(app), NowMicros(), settings_.lost_after);
}

grpc::Status ApiService::GetAppStatus(grpc::ServerContext* context, const nebula::v1::GetAppStatusRequest* request,
                                      nebula::v1::AppStatus* response) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppName(request->name(), "name");
    RequireAccess(caller, ObjectKind::kApp, request->name(), Access::kRead);
    *response = CurrentStatus(request->name());
  });
}

// Polls rather than listens: reports arrive every few seconds per worker anyway, and a poll of one
// app's rows is cheap. Ends with the status that finished the rollout, or when the client leaves.
grpc::Status ApiService::WatchAppStatus(grpc::ServerContext* context, const nebula::v1::WatchAppStatusRequest* request,
                                        grpc::ServerWriter<nebula::v1::AppStatus>* writer) {
  return GuardedCall([&] {
    Caller caller = Authenticate(*context);
    CheckAppName(request->name(), "name");
    RequireAccess(caller, ObjectKind::kApp, request->name(), Access::kRead);
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
