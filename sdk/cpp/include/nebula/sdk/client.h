// The C++ client of the Nebula API (docs/architecture.md "Components"): one typed method per RPC of the ApiManager and
// Identity services, a deadline per call, retries of idempotent reads on UNAVAILABLE, and
// credentials (bearer token or basic auth, optional TLS). Failures are thrown as nebula::Error
// (error.h) carrying the gRPC code, message and decoded field violations.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.h"
#include "nebula/sdk/retry_policy.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/identity.grpc.pb.h"

namespace nebula::sdk {

// Transport security. Disabled means plaintext (loopback dev stacks).
struct TlsOptions {
  bool enabled = false;
  std::string root_certs_pem;   // empty: the system roots
  std::string client_cert_pem;  // both set: mutual TLS
  std::string client_key_pem;
  std::string server_name;  // overrides the name checked against the certificate
};

struct ClientOptions {
  // host:port of any api-manager replica.
  std::string endpoint = "127.0.0.1:50051";
  // Budget for one call, retries included.
  std::chrono::milliseconds deadline = std::chrono::seconds(30);
  // Applies to reads (Get*, List*, WhoAmI) only: writes are never retried, a retried write could apply twice.
  RetryPolicy retry;
  // Credentials (docs/architecture.md "Security"): a token wins over user/password. Sent as the "authorization" header.
  std::string token;  // "<id>.<secret>" → "Bearer <token>"
  std::string user;   // with password → "Basic base64(user:password)"
  std::string password;
  TlsOptions tls;
  // Escape hatches for callers with their own credentials; they win over tls / token / user.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
  std::shared_ptr<grpc::CallCredentials> call_credentials;
};

// "Bearer <token>", "Basic <base64>", or empty when no credential is set.
std::string AuthorizationHeader(const ClientOptions& options);
std::string Base64(std::string_view bytes);

class Client {
 public:
  explicit Client(ClientOptions options);
  // For callers that own the channel (tests use an in-process one).
  Client(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);

  // ---- apps
  v1::App CreateApp(const v1::App& app);
  v1::App GetApp(const std::string& name);
  // One page; page_size 0 means the server's default.
  v1::ListAppsResponse ListApps(int32_t page_size = 0, const std::string& page_token = {});
  // Every app, following next_page_token to the end.
  std::vector<v1::App> ListAllApps(int32_t page_size = 0);
  // update_mask: paths under "spec" to replace (e.g. "spec.image"); empty replaces the whole spec.
  // expected_generation: non-zero fails with ABORTED unless the app is at that generation.
  v1::App UpdateApp(const v1::App& app, const std::vector<std::string>& update_mask = {},
                    int64_t expected_generation = 0);
  // Returns the generation of the deletion. force: also when a device group still lists the app.
  int64_t DeleteApp(const std::string& name, int64_t expected_generation = 0, bool force = false);
  v1::App StartApp(const std::string& name, int64_t expected_generation = 0);
  v1::App StopApp(const std::string& name, int64_t expected_generation = 0);
  // rolling: unset follows the app's update strategy; true/false overrides it for this restart.
  v1::App RestartApp(const std::string& name, std::optional<bool> rolling = std::nullopt,
                     int64_t expected_generation = 0);
  v1::App PullApp(const std::string& name, int64_t expected_generation = 0);
  v1::ListAppRevisionsResponse ListAppRevisions(const std::string& name, int32_t page_size = 0,
                                                const std::string& page_token = {});
  std::vector<v1::AppRevision> ListAllAppRevisions(const std::string& name, int32_t page_size = 0);
  // Makes a new generation whose spec is the one of `generation`.
  v1::App RollbackApp(const std::string& name, int64_t generation, int64_t expected_generation = 0);

  // ---- device groups
  v1::DeviceGroup CreateDeviceGroup(const v1::DeviceGroup& group);
  v1::DeviceGroup GetDeviceGroup(const std::string& name);
  v1::ListDeviceGroupsResponse ListDeviceGroups(int32_t page_size = 0, const std::string& page_token = {});
  std::vector<v1::DeviceGroup> ListAllDeviceGroups(int32_t page_size = 0);
  // update_mask: "apps", "cron_jobs"; empty replaces both.
  v1::DeviceGroup UpdateDeviceGroup(const v1::DeviceGroup& group, const std::vector<std::string>& update_mask = {},
                                    int64_t expected_generation = 0);
  int64_t DeleteDeviceGroup(const std::string& name, int64_t expected_generation = 0);
  v1::DeviceGroup PruneDeviceGroup(const std::string& name);

  // ---- cron jobs
  v1::CronJob CreateCronJob(const v1::CronJob& job);
  v1::CronJob GetCronJob(const std::string& name);
  v1::ListCronJobsResponse ListCronJobs(int32_t page_size = 0, const std::string& page_token = {});
  std::vector<v1::CronJob> ListAllCronJobs(int32_t page_size = 0);
  v1::CronJob UpdateCronJob(const v1::CronJob& job, const std::vector<std::string>& update_mask = {},
                            int64_t expected_generation = 0);
  int64_t DeleteCronJob(const std::string& name, int64_t expected_generation = 0, bool force = false);

  // ---- cluster-wide
  v1::GlobalSettings PruneAll();
  // object_kind / object_name empty: every event. Newest first.
  v1::ListAuditEventsResponse ListAuditEvents(const std::string& object_kind = {}, const std::string& object_name = {},
                                              int32_t page_size = 0, const std::string& page_token = {});

  // ---- workers and rollout status
  // One page of workers ordered by id; page_size 0 means the server's default.
  v1::ListWorkersResponse ListWorkers(int32_t page_size = 0, const std::string& page_token = {});
  std::vector<v1::Worker> ListAllWorkers(int32_t page_size = 0);
  v1::Worker GetWorker(const std::string& id);
  // Rollout counters of the app's current generation (hosts desired/observed/converged/failed).
  v1::AppStatus GetAppStatus(const std::string& name);
  // Calls on_status with the status now and on every change until the server ends the stream,
  // on_status returns false, or timeout passes (DEADLINE_EXCEEDED thrown as nebula::Error). Returns
  // the last status. Not retried: a watch is restarted by the caller.
  v1::AppStatus WatchAppStatus(const std::string& name, const std::function<bool(const v1::AppStatus&)>& on_status,
                               std::chrono::milliseconds timeout);

  // ---- identity
  v1::WhoAmIResponse WhoAmI();
  v1::User CreateUser(const std::string& name, const std::string& password);
  v1::User GetUser(const std::string& name);
  v1::ListUsersResponse ListUsers(int32_t page_size = 0, const std::string& page_token = {});
  std::vector<v1::User> ListAllUsers(int32_t page_size = 0);
  // Sets a new password.
  v1::User UpdateUser(const std::string& name, const std::string& password);
  void DeleteUser(const std::string& name);
  // user empty: the caller. ttl 0: never expires. The response's secret is shown only here.
  v1::CreateTokenResponse CreateToken(const std::string& user = {}, const std::string& description = {},
                                      int64_t ttl_seconds = 0);
  v1::ListTokensResponse ListTokens(const std::string& user = {}, int32_t page_size = 0,
                                    const std::string& page_token = {});
  std::vector<v1::Token> ListAllTokens(const std::string& user = {}, int32_t page_size = 0);
  void RevokeToken(const std::string& id);
  v1::UserGroup CreateUserGroup(const v1::UserGroup& group);
  v1::UserGroup GetUserGroup(const std::string& name);
  v1::ListUserGroupsResponse ListUserGroups(int32_t page_size = 0, const std::string& page_token = {});
  std::vector<v1::UserGroup> ListAllUserGroups(int32_t page_size = 0);
  // update_mask: "members", "admin", "pruning_allowed", "apps", "device_groups", "cron_jobs"; empty = all.
  v1::UserGroup UpdateUserGroup(const v1::UserGroup& group, const std::vector<std::string>& update_mask = {},
                                int64_t expected_generation = 0);
  void DeleteUserGroup(const std::string& name);

  const ClientOptions& options() const { return options_; }

 private:
  template <typename Call>
  void Invoke(bool idempotent, Call&& call);
  void Prepare(grpc::ClientContext& context) const;

  ClientOptions options_;
  std::string authorization_;
  std::unique_ptr<v1::ApiManager::Stub> stub_;
  std::unique_ptr<v1::Identity::Stub> identity_;
};

}  // namespace nebula::sdk
