// gRPC listener credentials from --tls-cert/--tls-key/--tls-client-ca (docs/architecture.md "Security": TLS optional on
// every listener): insecure without a certificate, TLS with one, mutual TLS with a client CA.
#pragma once

#include <grpcpp/security/server_credentials.h>

#include <memory>
#include <string>

namespace nebula::api_manager {

struct TlsFiles {
  std::string cert;       // PEM certificate chain; empty = plaintext
  std::string key;        // PEM private key of cert
  std::string client_ca;  // PEM CA bundle; set = clients must present a certificate it signed
};

// Throws nebula::Error(kInvalidArgument) for a file it cannot read or a key without a certificate.
std::shared_ptr<grpc::ServerCredentials> MakeServerCredentials(const TlsFiles& files);

}  // namespace nebula::api_manager
