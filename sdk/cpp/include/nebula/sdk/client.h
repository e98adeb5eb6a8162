// The C++ client of the Nebula API (BRIEF §2): typed calls on ApiManager with a deadline per call
// and retries of idempotent reads. Failures are thrown as nebula::Error (services/common/error.h)
// carrying the gRPC code, message and field violations.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/security/credentials.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nebula/sdk/retry_policy.h"
#include "nebula/v1/api_manager.grpc.pb.h"

namespace nebula::sdk {

struct ClientOptions {
  // host:port of any api-manager replica.
  std::string endpoint = "127.0.0.1:50051";
  // Budget for one call, retries included.
  std::chrono::milliseconds deadline = std::chrono::seconds(30);
  // Applies to GetApp, ListApps, ListWorkers, GetWorker and GetAppStatus only: writes are never retried, a retried write could apply twice.
  RetryPolicy retry;
  // Transport security. Null means plaintext; pass grpc::SslCredentials(...) for TLS.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
  // Per-call credentials (bearer token / basic auth metadata, BRIEF §7) once the API requires them.
  std::shared_ptr<grpc::CallCredentials> call_credentials;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  // For callers that own the channel (tests use an in-process one).
  Client(std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options);

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
  // Returns the generation of the deletion.
  int64_t DeleteApp(const std::string& name, int64_t expected_generation = 0);

  // One page of workers ordered by id; page_size 0 means the server's default.
  v1::ListWorkersResponse ListWorkers(int32_t page_size = 0, const std::string& page_token = {});
  v1::Worker GetWorker(const std::string& id);
  // Rollout counters of the app's current generation (hosts desired/observed/converged/failed).
  v1::AppStatus GetAppStatus(const std::string& name);
  // Calls on_status with the status now and on every change until the rollout is CONVERGED or
  // FAILED (returns the last status), on_status returns false, or timeout passes (DEADLINE_EXCEEDED
  // thrown as nebula::Error). Not retried: a watch is restarted by the caller.
  v1::AppStatus WatchAppStatus(const std::string& name, const std::function<bool(const v1::AppStatus&)>& on_status,
                               std::chrono::milliseconds timeout);

  const ClientOptions& options() const { return options_; }

 private:
  template <typename Call>
  void Invoke(bool idempotent, Call&& call);

  ClientOptions options_;
  std::unique_ptr<v1::ApiManager::Stub> stub_;
};

}  // namespace nebula::sdk
