// The api-manager's operations flags against the real stack's database and broker: an extra
// nebula-api-manager with --metrics-listen (scraped over HTTP) and one with TLS.
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <regex>

#include "nebula/v1/api_manager.grpc.pb.h"
#include "stack_fixture.h"

using namespace std::chrono_literals;
namespace nt = nebula::testing;

namespace {

std::map<std::string, std::string> ApiManagerEnv(const nt::StackInfo& stack, const std::string& listen) {
  return {{"NEBULA_LISTEN", listen},
          {"NEBULA_DATABASE_URL", stack.database_url},
          {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers},
          {"NEBULA_LOG_LEVEL", "debug"}};
}

grpc::Status GetApp(const std::shared_ptr<grpc::Channel>& channel, const std::string& name) {
  auto stub = nebula::v1::ApiManager::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + 5s);
  nebula::v1::GetAppRequest request;
  request.set_name(name);
  nebula::v1::App response;
  return stub->GetApp(&context, request, &response);
}

// The value of one sample line ("name{labels} value"), or -1 if the scrape lacks it.
double Sample(const std::string& text, const std::string& series) {
  size_t at = text.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + series.size() + 2));
}

std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  auto response = client.Get("/metrics");
  if (!response || response->status != 200) return "";
  return response->body;
}

}  // namespace

TEST_CASE("an api-manager with --metrics-listen counts calls on GET /metrics", "[integration]") {
  const auto& stack = nt::SharedStack();
  const std::string endpoint = "127.0.0.1:" + std::to_string(nt::TestPort(1));
  const int metrics_port = nt::TestPort(2);
  auto env = ApiManagerEnv(stack, endpoint);
  env["NEBULA_METRICS_LISTEN"] = "127.0.0.1:" + std::to_string(metrics_port);
  nt::BackgroundProcess replica({stack.bin_dir + "/nebula-api-manager"}, env,
                                stack.state_dir + "/api-manager-metrics.log");
  auto channel = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
  REQUIRE(nt::Eventually([&] { return GetApp(channel, "metrics-probe").error_code() == grpc::StatusCode::NOT_FOUND; },
                         60s));
  INFO(replica.LogTail());

  const std::string series =
      "nebula_api_manager_grpc_requests_total{method=\"/nebula.v1.ApiManager/GetApp\",code=\"NOT_FOUND\"}";
  std::string before = Scrape(metrics_port);
  REQUIRE(Sample(before, series) >= 1);
  for (int i = 0; i < 3; ++i) CHECK(GetApp(channel, "metrics-probe").error_code() == grpc::StatusCode::NOT_FOUND);
  std::string after = Scrape(metrics_port);
  CHECK(Sample(after, series) == Sample(before, series) + 3);
  CHECK(Sample(after,
               "nebula_api_manager_grpc_request_duration_seconds_count{method=\"/nebula.v1.ApiManager/GetApp\"}") ==
        Sample(after, series));
  CHECK(Sample(after, "nebula_api_manager_outbox_backlog") >= 0);
  double relay_active = Sample(after, "nebula_api_manager_relay_active");
  CHECK((relay_active == 0 || relay_active == 1));
  CHECK(Sample(after, "nebula_api_manager_reports_consumed_total") >= 0);

  httplib::Client client("127.0.0.1", metrics_port);
  auto other = client.Get("/other");
  REQUIRE(other);
  CHECK(other->status == 404);
  CHECK(replica.Stop() == 0);
}

namespace {

// A self-signed certificate for localhost and 127.0.0.1 (cert.pem, key.pem in dir); its own CA.
void MakeCertificate(const std::string& dir, const std::string& name) {
  auto result = nt::Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                         "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                         dir + "/" + name + "-key.pem", "-out", dir + "/" + name + "-cert.pem"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& endpoint, const grpc::SslCredentialsOptions& options) {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  return grpc::CreateCustomChannel(endpoint, grpc::SslCredentials(options), args);
}

}  // namespace

TEST_CASE("an api-manager with --tls-cert serves TLS only and --tls-client-ca requires a client certificate",
          "[integration]") {
  const auto& stack = nt::SharedStack();
  const std::string dir = stack.state_dir;
  static bool made = false;  // once: each SECTION re-runs the test case
  if (!made) {
    MakeCertificate(dir, "server");
    MakeCertificate(dir, "client");
    made = true;
  }
  const std::string server_cert = nt::ReadFile(dir + "/server-cert.pem");

  SECTION("TLS") {
    const std::string endpoint = "127.0.0.1:" + std::to_string(nt::TestPort(3));
    auto env = ApiManagerEnv(stack, endpoint);
    env["NEBULA_TLS_CERT"] = dir + "/server-cert.pem";
    env["NEBULA_TLS_KEY"] = dir + "/server-key.pem";
    nt::BackgroundProcess tls({stack.bin_dir + "/nebula-api-manager"}, env, dir + "/api-manager-tls.log");
    const grpc::SslCredentialsOptions trusting_server{.pem_root_certs = server_cert};
    // A new channel per attempt: a channel's reconnect backoff can outgrow the wait while the server starts.
    REQUIRE(nt::Eventually(
        [&] {
          return GetApp(TlsChannel(endpoint, trusting_server), "tls-probe").error_code() == grpc::StatusCode::NOT_FOUND;
        },
        60s));
    INFO(tls.LogTail());
    CHECK(GetApp(TlsChannel(endpoint, trusting_server), "tls-probe").error_code() == grpc::StatusCode::NOT_FOUND);
    auto plaintext = grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials());
    grpc::Status refused = GetApp(plaintext, "tls-probe");
    CHECK(refused.error_code() == grpc::StatusCode::UNAVAILABLE);
    // A client trusting another CA refuses the server.
    auto wrong_root = TlsChannel(endpoint, {.pem_root_certs = nt::ReadFile(dir + "/client-cert.pem")});
    CHECK(GetApp(wrong_root, "tls-probe").error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(tls.Stop() == 0);
  }

  SECTION("mutual TLS") {
    const std::string endpoint = "127.0.0.1:" + std::to_string(nt::TestPort(4));
    auto env = ApiManagerEnv(stack, endpoint);
    env["NEBULA_TLS_CERT"] = dir + "/server-cert.pem";
    env["NEBULA_TLS_KEY"] = dir + "/server-key.pem";
    env["NEBULA_TLS_CLIENT_CA"] = dir + "/client-cert.pem";
    nt::BackgroundProcess mtls({stack.bin_dir + "/nebula-api-manager"}, env, dir + "/api-manager-mtls.log");
    const grpc::SslCredentialsOptions with_cert{.pem_root_certs = server_cert,
                                                .pem_private_key = nt::ReadFile(dir + "/client-key.pem"),
                                                .pem_cert_chain = nt::ReadFile(dir + "/client-cert.pem")};
    bool served = nt::Eventually(
        [&] {
          return GetApp(TlsChannel(endpoint, with_cert), "mtls-probe").error_code() == grpc::StatusCode::NOT_FOUND;
        },
        60s);
    INFO(mtls.LogTail());
    REQUIRE(served);
    auto without_cert = TlsChannel(endpoint, {.pem_root_certs = server_cert});
    CHECK(GetApp(without_cert, "mtls-probe").error_code() == grpc::StatusCode::UNAVAILABLE);
    CHECK(mtls.Stop() == 0);
  }
}
