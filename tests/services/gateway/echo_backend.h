// A gRPC server for every method of the compiled services that answers with what it received, so the
// gateway's transcoding is observable from HTTP: initial metadata "echo-request-bin" holds the
// serialized request, "echo-md-<key>" each client metadata entry. Client metadata "x-fail-code: N"
// makes it fail with code N (and a google.rpc.BadRequest detail); a server-streaming call sends two
// messages, then fails if "x-fail-after" is set.
// The response: the method's output type with "name" copied from the request's "name" and int64
// "generation" set to 2^53+1.
#pragma once

#include <grpcpp/server.h>

#include <memory>
#include <string>

namespace nebula::gateway::testing {

class EchoBackend {
 public:
  EchoBackend();
  ~EchoBackend();
  std::string address() const { return address_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string address_;
};

}  // namespace nebula::gateway::testing
