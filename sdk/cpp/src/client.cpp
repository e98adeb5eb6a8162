#include "nebula/sdk/client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "grpc_status.h"

namespace nebula::sdk {

namespace {

std::shared_ptr<grpc::ChannelInterface> MakeChannel(const ClientOptions& options) {
  auto credentials = options.channel_credentials ? options.channel_credentials : grpc::InsecureChannelCredentials();
  return grpc::CreateChannel(options.endpoint, credentials);
}

}  // namespace

Client::Client(ClientOptions options) : Client(MakeChannel(options), options) {}

Client::Client(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : options_(std::move(options)), stub_(v1::ApiManager::NewStub(std::move(channel))) {}

// Runs call(context) until it succeeds, fails for good, or the call's deadline has no room for
// another attempt. Every attempt shares the one deadline, so --timeout bounds the whole call.
template <typename Call>
void Client::Invoke(bool idempotent, Call&& call) {
  const auto deadline = std::chrono::system_clock::now() + options_.deadline;
  const int attempts = idempotent ? std::max(options_.retry.max_attempts, 1) : 1;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    if (options_.call_credentials) context.set_credentials(options_.call_credentials);
    const grpc::Status status = call(context);
    const bool retry = status.error_code() == grpc::StatusCode::UNAVAILABLE && attempt < attempts &&
                       std::chrono::system_clock::now() + BackoffBefore(options_.retry, attempt + 1) < deadline;
    if (!retry) {
      ThrowIfError(status);
      return;
    }
    std::this_thread::sleep_for(BackoffBefore(options_.retry, attempt + 1));
  }
}

v1::App Client::CreateApp(const v1::App& app) {
  v1::CreateAppRequest request;
  *request.mutable_app() = app;
  v1::App response;
  Invoke(false, [&](grpc::ClientContext& context) { return stub_->CreateApp(&context, request, &response); });
  return response;
}

v1::App Client::GetApp(const std::string& name) {
  v1::GetAppRequest request;
  request.set_name(name);
  v1::App response;
  Invoke(true, [&](grpc::ClientContext& context) { return stub_->GetApp(&context, request, &response); });
  return response;
}

v1::ListAppsResponse Client::ListApps(int32_t page_size, const std::string& page_token) {
  v1::ListAppsRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  v1::ListAppsResponse response;
  Invoke(true, [&](grpc::ClientContext& context) { return stub_->ListApps(&context, request, &response); });
  return response;
}

std::vector<v1::App> Client::ListAllApps(int32_t page_size) {
  std::vector<v1::App> apps;
  std::string token;
  do {
    auto page = ListApps(page_size, token);
    for (auto& app : *page.mutable_apps()) apps.push_back(std::move(app));
    token = page.next_page_token();
  } while (!token.empty());
  return apps;
}

v1::App Client::UpdateApp(const v1::App& app, const std::vector<std::string>& update_mask,
                          int64_t expected_generation) {
  v1::UpdateAppRequest request;
  *request.mutable_app() = app;
  for (const auto& path : update_mask) request.mutable_update_mask()->add_paths(path);
  request.set_expected_generation(expected_generation);
  v1::App response;
  Invoke(false, [&](grpc::ClientContext& context) { return stub_->UpdateApp(&context, request, &response); });
  return response;
}

int64_t Client::DeleteApp(const std::string& name, int64_t expected_generation) {
  v1::DeleteAppRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  v1::DeleteAppResponse response;
  Invoke(false, [&](grpc::ClientContext& context) { return stub_->DeleteApp(&context, request, &response); });
  return response.generation();
}

v1::ListWorkersResponse Client::ListWorkers(int32_t page_size, const std::string& page_token) {
  v1::ListWorkersRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  v1::ListWorkersResponse response;
  Invoke(true, [&](grpc::ClientContext& context) { return stub_->ListWorkers(&context, request, &response); });
  return response;
}

v1::Worker Client::GetWorker(const std::string& id) {
  v1::GetWorkerRequest request;
  request.set_id(id);
  v1::Worker response;
  Invoke(true, [&](grpc::ClientContext& context) { return stub_->GetWorker(&context, request, &response); });
  return response;
}

v1::AppStatus Client::GetAppStatus(const std::string& name) {
  v1::GetAppStatusRequest request;
  request.set_name(name);
  v1::AppStatus response;
  Invoke(true, [&](grpc::ClientContext& context) { return stub_->GetAppStatus(&context, request, &response); });
  return response;
}

v1::AppStatus Client::WatchAppStatus(const std::string& name,
                                     const std::function<bool(const v1::AppStatus&)>& on_status,
                                     std::chrono::milliseconds timeout) {
  v1::WatchAppStatusRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  if (options_.call_credentials) context.set_credentials(options_.call_credentials);
  auto reader = stub_->WatchAppStatus(&context, request);
  v1::AppStatus status, last;
  while (reader->Read(&status)) {
    last = status;
    if (!on_status(status)) {
      context.TryCancel();
      reader->Finish();  // CANCELLED: the caller asked to stop
      return last;
    }
  }
  ThrowIfError(reader->Finish());
  return last;
}

}  // namespace nebula::sdk
