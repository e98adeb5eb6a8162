#include "api-manager/server_credentials.h"

#include <grpcpp/security/server_credentials.h>

#include <fstream>
#include <sstream>

#include "common/error.h"

namespace nebula::api_manager {
namespace {

std::string ReadPem(const std::string& path, const char* flag) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof()) throw Error(ErrorCode::kInvalidArgument, std::string(flag) + ": cannot read " + path);
  if (text.str().empty()) throw Error(ErrorCode::kInvalidArgument, std::string(flag) + ": " + path + " is empty");
  return text.str();
}

}  // namespace

std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const TlsFiles& files) {
  if (files.cert.empty() != files.key.empty())
    throw Error(ErrorCode::kInvalidArgument, "--tls-cert and --tls-key go together");
  if (files.cert.empty()) {
    if (!files.client_ca.empty())
      throw Error(ErrorCode::kInvalidArgument, "--tls-client-ca needs --tls-cert and --tls-key");
    return grpc::InsecureServerCredentials();
  }
  grpc::SslServerCredentialsOptions options(files.client_ca.empty()
                                                ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                                                : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  if (!files.client_ca.empty()) options.pem_root_certs = ReadPem(files.client_ca, "--tls-client-ca");
  options.pem_key_cert_pairs.push_back(
      {.private_key = ReadPem(files.key, "--tls-key"), .cert_chain = ReadPem(files.cert, "--tls-cert")});
  return grpc::SslServerCredentials(options);
}

}  // namespace nebula::api_manager
