// nebula::sdk::Client against an in-process fake ApiManager: retries, deadlines, paging, error
// decoding, credentials and what each call puts on the wire.
#include "nebula/sdk/client.h"

#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "common/grpc_status.h"

using nebula::Error;
using nebula::ErrorCode;
namespace sdk = nebula::sdk;
namespace v1 = nebula::v1;
using namespace std::chrono_literals;

namespace {

class FakeApiManager final : public v1::ApiManager::Service {
 public:
  std::atomic<int> get_calls{0}, create_calls{0}, list_calls{0};
  int get_failures = 0;  // GetApp answers UNAVAILABLE this many times first
  std::chrono::milliseconds get_delay{0};
  std::mutex mu;
  v1::UpdateAppRequest last_update;
  v1::DeleteAppRequest last_delete;

  grpc::Status GetApp(grpc::ServerContext*, const v1::GetAppRequest* request, v1::App* response) override {
    std::this_thread::sleep_for(get_delay);
    if (get_calls++ < get_failures) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "warming up");
    if (request->name() == "missing") return grpc::Status(grpc::StatusCode::NOT_FOUND, "app \"missing\" not found");
    response->set_name(request->name());
    response->set_generation(4);
    return grpc::Status::OK;
  }
  grpc::Status CreateApp(grpc::ServerContext*, const v1::CreateAppRequest*, v1::App*) override {
    ++create_calls;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database down");
  }
  // 5 apps, served page_size at a time; the token is the index of the next app.
  grpc::Status ListApps(grpc::ServerContext*, const v1::ListAppsRequest* request,
                        v1::ListAppsResponse* response) override {
    ++list_calls;
    const int start = request->page_token().empty() ? 0 : std::stoi(request->page_token());
    const int size = request->page_size() == 0 ? 100 : request->page_size();
    for (int i = start; i < std::min(start + size, 5); ++i) response->add_apps()->set_name("app-" + std::to_string(i));
    if (start + size < 5) response->set_next_page_token(std::to_string(start + size));
    return grpc::Status::OK;
  }
  grpc::Status UpdateApp(grpc::ServerContext*, const v1::UpdateAppRequest* request, v1::App*) override {
    std::lock_guard lock(mu);
    last_update = *request;
    return nebula::ToGrpcStatus(nebula::InvalidArgument({{"app.spec.image", "not an image reference"}}));
  }
  grpc::Status DeleteApp(grpc::ServerContext*, const v1::DeleteAppRequest* request,
                         v1::DeleteAppResponse* response) override {
    std::lock_guard lock(mu);
    last_delete = *request;
    if (request->expected_generation() != 0 && request->expected_generation() != 4)
      return grpc::Status(grpc::StatusCode::ABORTED, "app is at generation 4");
    response->set_generation(5);
    return grpc::Status::OK;
  }
  v1::RestartAppRequest last_restart;
  grpc::Status RestartApp(grpc::ServerContext*, const v1::RestartAppRequest* request, v1::App* response) override {
    std::lock_guard lock(mu);
    last_restart = *request;
    response->set_name(request->name());
    return grpc::Status::OK;
  }
  std::atomic<int> rollback_calls{0};
  grpc::Status RollbackApp(grpc::ServerContext*, const v1::RollbackAppRequest*, v1::App*) override {
    ++rollback_calls;
    return grpc::Status(grpc::StatusCode::UNAVAILABLE, "database down");
  }
  // Streams three statuses: progressing, progressing, converged.
  grpc::Status WatchAppStatus(grpc::ServerContext*, const v1::WatchAppStatusRequest* request,
                              grpc::ServerWriter<v1::AppStatus>* writer) override {
    for (int converged = 0; converged <= 2; ++converged) {
      v1::AppStatus status;
      status.set_app(request->name());
      status.set_hosts_desired(2);
      status.set_hosts_converged(converged);
      status.set_rollout(converged == 2 ? v1::AppStatus::CONVERGED : v1::AppStatus::PROGRESSING);
      writer->Write(status);
    }
    return grpc::Status::OK;
  }
};

// Answers WhoAmI with the authorization header it received, as the user name.
class FakeIdentity final : public v1::Identity::Service {
 public:
  std::atomic<int> list_calls{0};
  grpc::Status WhoAmI(grpc::ServerContext* context, const v1::WhoAmIRequest*, v1::WhoAmIResponse* response) override {
    const auto& metadata = context->client_metadata();
    auto it = metadata.find("authorization");
    if (it == metadata.end()) return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no credential");
    response->set_user(std::string(it->second.data(), it->second.size()));
    return grpc::Status::OK;
  }
  grpc::Status ListUsers(grpc::ServerContext*, const v1::ListUsersRequest* request,
                         v1::ListUsersResponse* response) override {
    if (list_calls++ == 0) return grpc::Status(grpc::StatusCode::UNAVAILABLE, "warming up");
    response->add_users()->set_name(request->page_token().empty() ? "alice" : "bob");
    if (request->page_token().empty()) response->set_next_page_token("next");
    return grpc::Status::OK;
  }
  grpc::Status CreateToken(grpc::ServerContext*, const v1::CreateTokenRequest* request,
                           v1::CreateTokenResponse* response) override {
    response->mutable_token()->set_user(request->user());
    response->mutable_token()->set_description(request->description());
    response->set_secret("tok1.s3cret");
    return grpc::Status::OK;
  }
};

struct Harness {
  FakeApiManager service;
  FakeIdentity identity;
  std::unique_ptr<grpc::Server> server;
  sdk::ClientOptions options;

  Harness() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service);
    builder.RegisterService(&identity);
    server = builder.BuildAndStart();
    options.retry.initial_backoff = 1ms;
    options.retry.max_backoff = 5ms;
  }
  ~Harness() { server->Shutdown(std::chrono::system_clock::now() + 1s); }
  sdk::Client Client() { return sdk::Client(server->InProcessChannel(grpc::ChannelArguments()), options); }
};

ErrorCode CodeOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error");
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("Backoff grows exponentially up to the cap") {
  sdk::RetryPolicy policy;
  policy.initial_backoff = 100ms;
  policy.max_backoff = 1000ms;
  policy.multiplier = 3;
  CHECK(sdk::BackoffBefore(policy, 1) == 0ms);
  CHECK(sdk::BackoffBefore(policy, 2) == 100ms);
  CHECK(sdk::BackoffBefore(policy, 3) == 300ms);
  CHECK(sdk::BackoffBefore(policy, 4) == 900ms);
  CHECK(sdk::BackoffBefore(policy, 5) == 1000ms);
  CHECK(sdk::BackoffBefore(policy, 60) == 1000ms);
}

TEST_CASE("Reads are retried on UNAVAILABLE") {
  Harness h;
  h.service.get_failures = 2;
  CHECK(h.Client().GetApp("web").generation() == 4);
  CHECK(h.service.get_calls == 3);
}

TEST_CASE("Retries stop after max_attempts with the last error") {
  Harness h;
  h.service.get_failures = 100;
  h.options.retry.max_attempts = 3;
  CHECK(CodeOf([&] { h.Client().GetApp("web"); }) == ErrorCode::kUnavailable);
  CHECK(h.service.get_calls == 3);
}

TEST_CASE("Writes are never retried") {
  Harness h;
  CHECK(CodeOf([&] { h.Client().CreateApp(v1::App()); }) == ErrorCode::kUnavailable);
  CHECK(h.service.create_calls == 1);
}

TEST_CASE("Other errors are not retried and keep their code") {
  Harness h;
  CHECK(CodeOf([&] { h.Client().GetApp("missing"); }) == ErrorCode::kNotFound);
  CHECK(h.service.get_calls == 1);
}

TEST_CASE("The deadline bounds a call") {
  Harness h;
  h.service.get_delay = 500ms;
  h.options.deadline = 100ms;
  const auto started = std::chrono::steady_clock::now();
  CHECK(CodeOf([&] { h.Client().GetApp("web"); }) == ErrorCode::kDeadlineExceeded);
  CHECK(std::chrono::steady_clock::now() - started < 450ms);
}

TEST_CASE("ListApps returns one page, ListAllApps follows the tokens") {
  Harness h;
  auto page = h.Client().ListApps(2);
  CHECK(page.apps_size() == 2);
  CHECK(page.next_page_token() == "2");
  const auto all = h.Client().ListAllApps(2);
  REQUIRE(all.size() == 5);
  CHECK(all.front().name() == "app-0");
  CHECK(all.back().name() == "app-4");
  CHECK(h.service.list_calls == 1 + 3);
}

TEST_CASE("UpdateApp sends mask and expected generation, violations come back decoded") {
  Harness h;
  v1::App app;
  app.set_name("web");
  app.mutable_spec()->set_image("Bad Image");
  try {
    h.Client().UpdateApp(app, {"spec.image"}, 3);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    REQUIRE(e.violations().size() == 1);
    CHECK(e.violations()[0].field == "app.spec.image");
  }
  std::lock_guard lock(h.service.mu);
  CHECK(h.service.last_update.app().spec().image() == "Bad Image");
  REQUIRE(h.service.last_update.update_mask().paths_size() == 1);
  CHECK(h.service.last_update.update_mask().paths(0) == "spec.image");
  CHECK(h.service.last_update.expected_generation() == 3);
}

TEST_CASE("DeleteApp returns the deletion's generation and passes expected_generation") {
  Harness h;
  CHECK(h.Client().DeleteApp("web") == 5);
  CHECK(CodeOf([&] { h.Client().DeleteApp("web", 9); }) == ErrorCode::kAborted);
  std::lock_guard lock(h.service.mu);
  CHECK(h.service.last_delete.expected_generation() == 9);
}

TEST_CASE("Base64 follows RFC 4648 padding") {
  CHECK(sdk::Base64("") == "");
  CHECK(sdk::Base64("f") == "Zg==");
  CHECK(sdk::Base64("fo") == "Zm8=");
  CHECK(sdk::Base64("foo") == "Zm9v");
  CHECK(sdk::Base64("admin:pa:ss") == "YWRtaW46cGE6c3M=");
}

TEST_CASE("Credentials are sent as the authorization header") {
  Harness h;
  CHECK(CodeOf([&] { h.Client().WhoAmI(); }) == ErrorCode::kUnauthenticated);
  h.options.user = "admin";
  h.options.password = "pa:ss";
  CHECK(h.Client().WhoAmI().user() == "Basic YWRtaW46cGE6c3M=");
  h.options.token = "abc.def";  // a token wins over user/password
  CHECK(h.Client().WhoAmI().user() == "Bearer abc.def");
}

TEST_CASE("Identity reads are retried and paged") {
  Harness h;
  const auto users = h.Client().ListAllUsers();
  REQUIRE(users.size() == 2);
  CHECK(users[1].name() == "bob");
  CHECK(h.identity.list_calls == 3);
}

TEST_CASE("CreateToken returns the secret once") {
  Harness h;
  const auto created = h.Client().CreateToken("bob", "ci", 3600);
  CHECK(created.secret() == "tok1.s3cret");
  CHECK(created.token().user() == "bob");
}

TEST_CASE("RestartApp sends rolling only when given") {
  Harness h;
  h.Client().RestartApp("web");
  {
    std::lock_guard lock(h.service.mu);
    CHECK_FALSE(h.service.last_restart.has_rolling());
  }
  h.Client().RestartApp("web", false, 7);
  std::lock_guard lock(h.service.mu);
  REQUIRE(h.service.last_restart.has_rolling());
  CHECK_FALSE(h.service.last_restart.rolling());
  CHECK(h.service.last_restart.expected_generation() == 7);
}

TEST_CASE("RollbackApp is a write and is not retried") {
  Harness h;
  CHECK(CodeOf([&] { h.Client().RollbackApp("web", 2); }) == ErrorCode::kUnavailable);
  CHECK(h.service.rollback_calls == 1);
}

TEST_CASE("WatchAppStatus delivers every status and stops when asked") {
  Harness h;
  std::vector<int> converged;
  auto last = h.Client().WatchAppStatus(
      "web",
      [&](const v1::AppStatus& s) {
        converged.push_back(s.hosts_converged());
        return true;
      },
      5s);
  CHECK(converged == std::vector<int>{0, 1, 2});
  CHECK(last.rollout() == v1::AppStatus::CONVERGED);
  int seen = 0;
  last = h.Client().WatchAppStatus(
      "web", [&](const v1::AppStatus&) { return ++seen < 2; }, 5s);
  CHECK(seen == 2);
  CHECK(last.hosts_converged() == 1);
}
