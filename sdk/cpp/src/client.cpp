#include "nebula/sdk/client.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>

#include <algorithm>
#include <thread>
#include <utility>

#include "common/grpc_status.h"

namespace nebula::sdk {

namespace {

std::shared_ptr<grpc::ChannelInterface> MakeChannel(const ClientOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials = options.channel_credentials;
  grpc::ChannelArguments arguments;
  if (!credentials && options.tls.enabled) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options.tls.root_certs_pem;
    ssl.pem_cert_chain = options.tls.client_cert_pem;
    ssl.pem_private_key = options.tls.client_key_pem;
    credentials = grpc::SslCredentials(ssl);
    if (!options.tls.server_name.empty()) arguments.SetSslTargetNameOverride(options.tls.server_name);
  }
  if (!credentials) credentials = grpc::InsecureChannelCredentials();
  return grpc::CreateCustomChannel(options.endpoint, credentials, arguments);
}

template <typename Message>
void AddMask(Message* request, const std::vector<std::string>& paths) {
  for (const auto& path : paths) request->mutable_update_mask()->add_paths(path);
}

// Follows next_page_token to the end; page(token) returns one response, items(response) its list.
template <typename Item, typename Page, typename Items>
std::vector<Item> AllPages(Page&& page, Items&& items) {
  std::vector<Item> all;
  std::string token;
  do {
    auto response = page(token);
    for (auto& item : *items(response)) all.push_back(std::move(item));
    token = response.next_page_token();
  } while (!token.empty());
  return all;
}

}  // namespace

std::string Base64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(n >> shift) & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string AuthorizationHeader(const ClientOptions& options) {
  if (!options.token.empty()) return "Bearer " + options.token;
  if (!options.user.empty()) return "Basic " + Base64(options.user + ":" + options.password);
  return {};
}

Client::Client(ClientOptions options) : Client(MakeChannel(options), options) {}

Client::Client(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : options_(std::move(options)),
      authorization_(AuthorizationHeader(options_)),
      stub_(v1::ApiManager::NewStub(channel)),
      identity_(v1::Identity::NewStub(channel)) {}

void Client::Prepare(grpc::ClientContext& context) const {
  if (options_.call_credentials)
    context.set_credentials(options_.call_credentials);
  else if (!authorization_.empty())
    context.AddMetadata("authorization", authorization_);
}

// Runs call(context) until it succeeds, fails for good, or the call's deadline has no room for
// another attempt. Every attempt shares the one deadline, so --timeout bounds the whole call.
template <typename Call>
void Client::Invoke(bool idempotent, Call&& call) {
  const auto deadline = std::chrono::system_clock::now() + options_.deadline;
  const int attempts = idempotent ? std::max(options_.retry.max_attempts, 1) : 1;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(deadline);
    Prepare(context);
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

// One unary RPC: R response; `rpc` is the stub method bound by a lambda.
#define NEBULA_UNARY(idempotent, stub, Method, request, Response)                                                      \
  [&] {                                                                                                                \
    Response response_;                                                                                                \
    Invoke(idempotent, [&](grpc::ClientContext& context_) { return (stub)->Method(&context_, request, &response_); }); \
    return response_;                                                                                                  \
  }()

// ---- apps

v1::App Client::CreateApp(const v1::App& app) {
  v1::CreateAppRequest request;
  *request.mutable_app() = app;
  return NEBULA_UNARY(false, stub_, CreateApp, request, v1::App);
}

v1::App Client::GetApp(const std::string& name) {
  v1::GetAppRequest request;
  request.set_name(name);
  return NEBULA_UNARY(true, stub_, GetApp, request, v1::App);
}

v1::ListAppsResponse Client::ListApps(int32_t page_size, const std::string& page_token) {
  v1::ListAppsRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, stub_, ListApps, request, v1::ListAppsResponse);
}

std::vector<v1::App> Client::ListAllApps(int32_t page_size) {
  return AllPages<v1::App>([&](const std::string& t) { return ListApps(page_size, t); },
                           [](auto& r) { return r.mutable_apps(); });
}

v1::App Client::UpdateApp(const v1::App& app, const std::vector<std::string>& update_mask,
                          int64_t expected_generation) {
  v1::UpdateAppRequest request;
  *request.mutable_app() = app;
  AddMask(&request, update_mask);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, UpdateApp, request, v1::App);
}

int64_t Client::DeleteApp(const std::string& name, int64_t expected_generation, bool force) {
  v1::DeleteAppRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  request.set_force(force);
  return NEBULA_UNARY(false, stub_, DeleteApp, request, v1::DeleteAppResponse).generation();
}

v1::App Client::StartApp(const std::string& name, int64_t expected_generation) {
  v1::StartAppRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, StartApp, request, v1::App);
}

v1::App Client::StopApp(const std::string& name, int64_t expected_generation) {
  v1::StopAppRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, StopApp, request, v1::App);
}

v1::App Client::RestartApp(const std::string& name, std::optional<bool> rolling, int64_t expected_generation) {
  v1::RestartAppRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  if (rolling) request.set_rolling(*rolling);
  return NEBULA_UNARY(false, stub_, RestartApp, request, v1::App);
}

v1::App Client::PullApp(const std::string& name, int64_t expected_generation) {
  v1::PullAppRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, PullApp, request, v1::App);
}

v1::ListAppRevisionsResponse Client::ListAppRevisions(const std::string& name, int32_t page_size,
                                                      const std::string& page_token) {
  v1::ListAppRevisionsRequest request;
  request.set_name(name);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, stub_, ListAppRevisions, request, v1::ListAppRevisionsResponse);
}

std::vector<v1::AppRevision> Client::ListAllAppRevisions(const std::string& name, int32_t page_size) {
  return AllPages<v1::AppRevision>([&](const std::string& t) { return ListAppRevisions(name, page_size, t); },
                                   [](auto& r) { return r.mutable_revisions(); });
}

v1::App Client::RollbackApp(const std::string& name, int64_t generation, int64_t expected_generation) {
  v1::RollbackAppRequest request;
  request.set_name(name);
  request.set_generation(generation);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, RollbackApp, request, v1::App);
}

// ---- device groups

v1::DeviceGroup Client::CreateDeviceGroup(const v1::DeviceGroup& group) {
  v1::CreateDeviceGroupRequest request;
  *request.mutable_device_group() = group;
  return NEBULA_UNARY(false, stub_, CreateDeviceGroup, request, v1::DeviceGroup);
}

v1::DeviceGroup Client::GetDeviceGroup(const std::string& name) {
  v1::GetDeviceGroupRequest request;
  request.set_name(name);
  return NEBULA_UNARY(true, stub_, GetDeviceGroup, request, v1::DeviceGroup);
}

v1::ListDeviceGroupsResponse Client::ListDeviceGroups(int32_t page_size, const std::string& page_token) {
  v1::ListDeviceGroupsRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, stub_, ListDeviceGroups, request, v1::ListDeviceGroupsResponse);
}

std::vector<v1::DeviceGroup> Client::ListAllDeviceGroups(int32_t page_size) {
  return AllPages<v1::DeviceGroup>([&](const std::string& t) { return ListDeviceGroups(page_size, t); },
                                   [](auto& r) { return r.mutable_device_groups(); });
}

v1::DeviceGroup Client::UpdateDeviceGroup(const v1::DeviceGroup& group, const std::vector<std::string>& update_mask,
                                          int64_t expected_generation) {
  v1::UpdateDeviceGroupRequest request;
  *request.mutable_device_group() = group;
  AddMask(&request, update_mask);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, UpdateDeviceGroup, request, v1::DeviceGroup);
}

int64_t Client::DeleteDeviceGroup(const std::string& name, int64_t expected_generation) {
  v1::DeleteDeviceGroupRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, DeleteDeviceGroup, request, v1::DeleteDeviceGroupResponse).generation();
}

v1::DeviceGroup Client::PruneDeviceGroup(const std::string& name) {
  v1::PruneDeviceGroupRequest request;
  request.set_name(name);
  return NEBULA_UNARY(false, stub_, PruneDeviceGroup, request, v1::DeviceGroup);
}

// ---- cron jobs

v1::CronJob Client::CreateCronJob(const v1::CronJob& job) {
  v1::CreateCronJobRequest request;
  *request.mutable_cron_job() = job;
  return NEBULA_UNARY(false, stub_, CreateCronJob, request, v1::CronJob);
}

v1::CronJob Client::GetCronJob(const std::string& name) {
  v1::GetCronJobRequest request;
  request.set_name(name);
  return NEBULA_UNARY(true, stub_, GetCronJob, request, v1::CronJob);
}

v1::ListCronJobsResponse Client::ListCronJobs(int32_t page_size, const std::string& page_token) {
  v1::ListCronJobsRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, stub_, ListCronJobs, request, v1::ListCronJobsResponse);
}

std::vector<v1::CronJob> Client::ListAllCronJobs(int32_t page_size) {
  return AllPages<v1::CronJob>([&](const std::string& t) { return ListCronJobs(page_size, t); },
                               [](auto& r) { return r.mutable_cron_jobs(); });
}

v1::CronJob Client::UpdateCronJob(const v1::CronJob& job, const std::vector<std::string>& update_mask,
                                  int64_t expected_generation) {
  v1::UpdateCronJobRequest request;
  *request.mutable_cron_job() = job;
  AddMask(&request, update_mask);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, stub_, UpdateCronJob, request, v1::CronJob);
}

int64_t Client::DeleteCronJob(const std::string& name, int64_t expected_generation, bool force) {
  v1::DeleteCronJobRequest request;
  request.set_name(name);
  request.set_expected_generation(expected_generation);
  request.set_force(force);
  return NEBULA_UNARY(false, stub_, DeleteCronJob, request, v1::DeleteCronJobResponse).generation();
}

// ---- cluster-wide

v1::GlobalSettings Client::PruneAll() {
  v1::PruneAllRequest request;
  return NEBULA_UNARY(false, stub_, PruneAll, request, v1::GlobalSettings);
}

v1::ListAuditEventsResponse Client::ListAuditEvents(const std::string& object_kind, const std::string& object_name,
                                                    int32_t page_size, const std::string& page_token) {
  v1::ListAuditEventsRequest request;
  request.set_object_kind(object_kind);
  request.set_object_name(object_name);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, stub_, ListAuditEvents, request, v1::ListAuditEventsResponse);
}

// ---- workers and status

v1::ListWorkersResponse Client::ListWorkers(int32_t page_size, const std::string& page_token) {
  v1::ListWorkersRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, stub_, ListWorkers, request, v1::ListWorkersResponse);
}

std::vector<v1::Worker> Client::ListAllWorkers(int32_t page_size) {
  return AllPages<v1::Worker>([&](const std::string& t) { return ListWorkers(page_size, t); },
                              [](auto& r) { return r.mutable_workers(); });
}

v1::Worker Client::GetWorker(const std::string& id) {
  v1::GetWorkerRequest request;
  request.set_id(id);
  return NEBULA_UNARY(true, stub_, GetWorker, request, v1::Worker);
}

v1::AppStatus Client::GetAppStatus(const std::string& name) {
  v1::GetAppStatusRequest request;
  request.set_name(name);
  return NEBULA_UNARY(true, stub_, GetAppStatus, request, v1::AppStatus);
}

v1::AppStatus Client::WatchAppStatus(const std::string& name,
                                     const std::function<bool(const v1::AppStatus&)>& on_status,
                                     std::chrono::milliseconds timeout) {
  v1::WatchAppStatusRequest request;
  request.set_name(name);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  Prepare(context);
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

// ---- identity

v1::WhoAmIResponse Client::WhoAmI() {
  v1::WhoAmIRequest request;
  return NEBULA_UNARY(true, identity_, WhoAmI, request, v1::WhoAmIResponse);
}

v1::User Client::CreateUser(const std::string& name, const std::string& password) {
  v1::CreateUserRequest request;
  request.mutable_user()->set_name(name);
  request.mutable_user()->set_password(password);
  return NEBULA_UNARY(false, identity_, CreateUser, request, v1::User);
}

v1::User Client::GetUser(const std::string& name) {
  v1::GetUserRequest request;
  request.set_name(name);
  return NEBULA_UNARY(true, identity_, GetUser, request, v1::User);
}

v1::ListUsersResponse Client::ListUsers(int32_t page_size, const std::string& page_token) {
  v1::ListUsersRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, identity_, ListUsers, request, v1::ListUsersResponse);
}

std::vector<v1::User> Client::ListAllUsers(int32_t page_size) {
  return AllPages<v1::User>([&](const std::string& t) { return ListUsers(page_size, t); },
                            [](auto& r) { return r.mutable_users(); });
}

v1::User Client::UpdateUser(const std::string& name, const std::string& password) {
  v1::UpdateUserRequest request;
  request.mutable_user()->set_name(name);
  request.mutable_user()->set_password(password);
  request.mutable_update_mask()->add_paths("password");
  return NEBULA_UNARY(false, identity_, UpdateUser, request, v1::User);
}

void Client::DeleteUser(const std::string& name) {
  v1::DeleteUserRequest request;
  request.set_name(name);
  NEBULA_UNARY(false, identity_, DeleteUser, request, v1::DeleteUserResponse);
}

v1::CreateTokenResponse Client::CreateToken(const std::string& user, const std::string& description,
                                            int64_t ttl_seconds) {
  v1::CreateTokenRequest request;
  request.set_user(user);
  request.set_description(description);
  request.set_ttl_seconds(ttl_seconds);
  return NEBULA_UNARY(false, identity_, CreateToken, request, v1::CreateTokenResponse);
}

v1::ListTokensResponse Client::ListTokens(const std::string& user, int32_t page_size, const std::string& page_token) {
  v1::ListTokensRequest request;
  request.set_user(user);
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, identity_, ListTokens, request, v1::ListTokensResponse);
}

std::vector<v1::Token> Client::ListAllTokens(const std::string& user, int32_t page_size) {
  return AllPages<v1::Token>([&](const std::string& t) { return ListTokens(user, page_size, t); },
                             [](auto& r) { return r.mutable_tokens(); });
}

void Client::RevokeToken(const std::string& id) {
  v1::RevokeTokenRequest request;
  request.set_id(id);
  NEBULA_UNARY(false, identity_, RevokeToken, request, v1::RevokeTokenResponse);
}

v1::UserGroup Client::CreateUserGroup(const v1::UserGroup& group) {
  v1::CreateUserGroupRequest request;
  *request.mutable_user_group() = group;
  return NEBULA_UNARY(false, identity_, CreateUserGroup, request, v1::UserGroup);
}

v1::UserGroup Client::GetUserGroup(const std::string& name) {
  v1::GetUserGroupRequest request;
  request.set_name(name);
  return NEBULA_UNARY(true, identity_, GetUserGroup, request, v1::UserGroup);
}

v1::ListUserGroupsResponse Client::ListUserGroups(int32_t page_size, const std::string& page_token) {
  v1::ListUserGroupsRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  return NEBULA_UNARY(true, identity_, ListUserGroups, request, v1::ListUserGroupsResponse);
}

std::vector<v1::UserGroup> Client::ListAllUserGroups(int32_t page_size) {
  return AllPages<v1::UserGroup>([&](const std::string& t) { return ListUserGroups(page_size, t); },
                                 [](auto& r) { return r.mutable_user_groups(); });
}

v1::UserGroup Client::UpdateUserGroup(const v1::UserGroup& group, const std::vector<std::string>& update_mask,
                                      int64_t expected_generation) {
  v1::UpdateUserGroupRequest request;
  *request.mutable_user_group() = group;
  AddMask(&request, update_mask);
  request.set_expected_generation(expected_generation);
  return NEBULA_UNARY(false, identity_, UpdateUserGroup, request, v1::UserGroup);
}

void Client::DeleteUserGroup(const std::string& name) {
  v1::DeleteUserGroupRequest request;
  request.set_name(name);
  NEBULA_UNARY(false, identity_, DeleteUserGroup, request, v1::DeleteUserGroupResponse);
}

#undef NEBULA_UNARY

}  // namespace nebula::sdk
