// The SDK's TLS options against a real TLS listener on loopback: server verification with given
// roots, the certificate name override, and mutual TLS with a client certificate.
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server.h>
#include <grpcpp/server_builder.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "nebula/sdk/client.h"

using nebula::Error;
using nebula::ErrorCode;
namespace sdk = nebula::sdk;
namespace v1 = nebula::v1;
using namespace std::chrono_literals;

namespace {

std::string Pem(const std::string& name) {
  std::ifstream in(std::string(NEBULA_TLS_TESTDATA) + "/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  REQUIRE_FALSE(text.str().empty());
  return text.str();
}

class NamedApps final : public v1::ApiManager::Service {
  grpc::Status GetApp(grpc::ServerContext*, const v1::GetAppRequest* request, v1::App* response) override {
    response->set_name(request->name());
    return grpc::Status::OK;
  }
};

struct TlsServer {
  NamedApps service;
  std::unique_ptr<grpc::Server> server;
  int port = 0;

  explicit TlsServer(bool require_client_cert) {
    grpc::SslServerCredentialsOptions ssl(require_client_cert
                                              ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                              : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
    ssl.pem_key_cert_pairs.push_back({Pem("server.key"), Pem("server.crt")});
    if (require_client_cert) ssl.pem_root_certs = Pem("client.crt");
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl), &port);
    builder.RegisterService(&service);
    server = builder.BuildAndStart();
    REQUIRE(port > 0);
  }
  ~TlsServer() { server->Shutdown(std::chrono::system_clock::now() + 1s); }

  sdk::ClientOptions Options() const {
    sdk::ClientOptions options;
    options.endpoint = "127.0.0.1:" + std::to_string(port);
    options.deadline = 3s;
    options.retry.max_attempts = 1;
    options.tls.enabled = true;
    options.tls.root_certs_pem = Pem("server.crt");
    options.tls.server_name = "localhost";  // the certificate names localhost, we dial 127.0.0.1
    return options;
  }
};

ErrorCode CodeOf(const sdk::ClientOptions& options) {
  try {
    sdk::Client(options).GetApp("web");
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error");
  return ErrorCode::kInternal;
}

}  // namespace

TEST_CASE("TLS with the given roots and name override reaches the server") {
  TlsServer server(false);
  CHECK(sdk::Client(server.Options()).GetApp("web").name() == "web");
}

TEST_CASE("Plaintext against a TLS listener and unknown roots both fail UNAVAILABLE") {
  TlsServer server(false);
  auto plaintext = server.Options();
  plaintext.tls.enabled = false;
  CHECK(CodeOf(plaintext) == ErrorCode::kUnavailable);
  auto wrong_roots = server.Options();
  wrong_roots.tls.root_certs_pem = Pem("client.crt");  // does not sign the server's certificate
  CHECK(CodeOf(wrong_roots) == ErrorCode::kUnavailable);
}

TEST_CASE("Mutual TLS needs the client certificate") {
  TlsServer server(true);
  CHECK(CodeOf(server.Options()) == ErrorCode::kUnavailable);
  auto with_cert = server.Options();
  with_cert.tls.client_cert_pem = Pem("client.crt");
  with_cert.tls.client_key_pem = Pem("client.key");
  CHECK(sdk::Client(with_cert).GetApp("web").name() == "web");
}
