// The CLI's TLS flags end to end: an extra nebula-api-manager with --tls-cert/--tls-key (and one with
// --tls-client-ca) over the stack's database and broker, and the built `nebula` against it with
// --ca-cert, --tls, --client-cert/--client-key. The right CA works; a wrong CA, plaintext, or a missing
// client certificate fail with the CLI's UNAVAILABLE error (exit 5) instead of hanging or crashing.
#include "cli_test_helpers.h"

using namespace nebula::cli_test;
using namespace std::chrono_literals;
using nebula::testing::BackgroundProcess;
using nebula::testing::TestPort;

namespace {

// A self-signed certificate for localhost and 127.0.0.1 (<name>-cert.pem, <name>-key.pem in dir).
void MakeCertificate(const std::string& dir, const std::string& name) {
  auto result =
      nebula::testing::Run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout",
                            dir + "/" + name + "-key.pem", "-out", dir + "/" + name + "-cert.pem"});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
}

std::map<std::string, std::string> TlsApiManagerEnv(const std::string& dir, const std::string& listen) {
  const auto& stack = Stack();
  return {{"NEBULA_LISTEN", listen},
          {"NEBULA_DATABASE_URL", stack.database_url},
          {"NEBULA_KAFKA_BROKERS", stack.kafka_brokers},
          {"NEBULA_TLS_CERT", dir + "/cli-tls-server-cert.pem"},
          {"NEBULA_TLS_KEY", dir + "/cli-tls-server-key.pem"}};
}

// `nebula` against the TLS api-manager; the stack's own TLS-less settings are cleared.
CommandResult TlsCli(const std::string& endpoint, std::vector<std::string> args) {
  return Cli(
      std::move(args),
      {{"NEBULA_ENDPOINT", endpoint}, {"NEBULA_CA_CERT", ""}, {"NEBULA_CLIENT_CERT", ""}, {"NEBULA_CLIENT_KEY", ""}});
}

// A connection failure: exit 5, nothing on stdout, and exactly one error line on stderr naming the cause
// (the CLI silences gRPC core's own log, which would print "Handshake failed" first).
void FailsToConnect(const CommandResult& r, const std::string& cause) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.exit_code == 5);
  CHECK(r.out.empty());
  std::string err = r.err;
  if (!err.empty() && err.back() == '\n') err.pop_back();
  CHECK(err.find('\n') == std::string::npos);
  CHECK_THAT(err, Catch::StartsWith("error: cannot reach the api-manager at ") && Catch::EndsWith(" (UNAVAILABLE)") &&
                      Catch::Contains(cause));
}

const std::string& CertDir() {
  static const std::string dir = [] {
    const std::string d = Stack().state_dir;
    MakeCertificate(d, "cli-tls-server");
    MakeCertificate(d, "cli-tls-client");
    MakeCertificate(d, "cli-tls-stranger");  // a CA that signed neither
    return d;
  }();
  return dir;
}

}  // namespace

TEST_CASE("cli: --ca-cert reaches a TLS api-manager and a wrong CA or plaintext is a clear error") {
  const std::string dir = CertDir();
  const std::string endpoint = "localhost:" + std::to_string(TestPort(15));
  BackgroundProcess server({Stack().bin_dir + "/nebula-api-manager"},
                           TlsApiManagerEnv(dir, "127.0.0.1:" + std::to_string(TestPort(15))),
                           dir + "/cli-tls-api-manager.log");
  const std::string right_ca = dir + "/cli-tls-server-cert.pem";
  // The api-manager opens its port once migrations ran: NOT_FOUND for an unknown app means it answers.
  const std::vector<std::string> probe = {"apps", "get", "cli-tls-probe", "--ca-cert", right_ca, "--timeout", "5"};
  REQUIRE(nebula::testing::Eventually([&] { return TlsCli(endpoint, probe).exit_code == 2; }, 90s, 500ms));
  INFO(server.LogTail());

  const auto created = Ok(TlsCli(endpoint, {"apps", "create", "cli-tls-web", "--image", Stack().sample_image,
                                            "--ca-cert", right_ca, "-o", "json"}));
  CHECK(created["name"] == "cli-tls-web");
  CHECK(GetApp("cli-tls-web")["name"] == "cli-tls-web");  // the same database, through the stack's plaintext port
  Fails(TlsCli(endpoint, {"apps", "get", "cli-tls-none", "--ca-cert", right_ca}), 2, "NOT_FOUND");

  // The roots may also come from NEBULA_CA_CERT.
  const auto via_env =
      Cli({"apps", "get", "cli-tls-web", "-o", "json"}, {{"NEBULA_ENDPOINT", endpoint}, {"NEBULA_CA_CERT", right_ca}});
  CHECK(Ok(via_env)["name"] == "cli-tls-web");

  // A CA that did not sign the server's certificate: the handshake fails, reported as UNAVAILABLE.
  const auto wrong_ca = TlsCli(
      endpoint, {"apps", "get", "cli-tls-web", "--ca-cert", dir + "/cli-tls-stranger-cert.pem", "--timeout", "5"});
  FailsToConnect(wrong_ca, "certificate verify failed");
  // --tls alone trusts the system roots, which do not include this self-signed certificate.
  FailsToConnect(TlsCli(endpoint, {"apps", "get", "cli-tls-web", "--tls", "--timeout", "5"}),
                 "certificate verify failed");
  // Plaintext against a TLS listener.
  FailsToConnect(TlsCli(endpoint, {"apps", "get", "cli-tls-web", "--timeout", "5"}), endpoint);
  // A CA file that does not exist is a usage error, before anything is sent.
  const auto missing = TlsCli(endpoint, {"apps", "get", "cli-tls-web", "--ca-cert", dir + "/no-such-ca.pem"});
  INFO("stderr: " << missing.err);
  CHECK(missing.exit_code != 0);
  CHECK_THAT(missing.err, Catch::Contains("no-such-ca.pem"));

  Ok(TlsCli(endpoint, {"apps", "delete", "cli-tls-web", "--ca-cert", right_ca, "-o", "json"}));
  CHECK(server.Stop() == 0);
}

TEST_CASE("cli: --client-cert and --client-key pass an api-manager that requires client certificates") {
  const std::string dir = CertDir();
  const std::string endpoint = "localhost:" + std::to_string(TestPort(16));
  auto env = TlsApiManagerEnv(dir, "127.0.0.1:" + std::to_string(TestPort(16)));
  env["NEBULA_TLS_CLIENT_CA"] = dir + "/cli-tls-client-cert.pem";
  BackgroundProcess server({Stack().bin_dir + "/nebula-api-manager"}, env, dir + "/cli-tls-mtls-api-manager.log");
  const std::vector<std::string> with_cert = {"--ca-cert",     dir + "/cli-tls-server-cert.pem",
                                              "--client-cert", dir + "/cli-tls-client-cert.pem",
                                              "--client-key",  dir + "/cli-tls-client-key.pem"};
  auto get = [&](const std::vector<std::string>& tls_flags) {
    std::vector<std::string> args = {"apps", "get", "cli-mtls-probe", "--timeout", "5"};
    args.insert(args.end(), tls_flags.begin(), tls_flags.end());
    return TlsCli(endpoint, args);
  };
  REQUIRE(nebula::testing::Eventually([&] { return get(with_cert).exit_code == 2; }, 90s, 500ms));
  INFO(server.LogTail());
  Fails(get(with_cert), 2, "NOT_FOUND");
  // Without a client certificate the server refuses the handshake.
  FailsToConnect(get({"--ca-cert", dir + "/cli-tls-server-cert.pem"}), endpoint);
  // A client certificate its CA did not sign is refused too.
  FailsToConnect(get({"--ca-cert", dir + "/cli-tls-server-cert.pem", "--client-cert",
                      dir + "/cli-tls-stranger-cert.pem", "--client-key", dir + "/cli-tls-stranger-key.pem"}),
                 endpoint);
  CHECK(server.Stop() == 0);
}
