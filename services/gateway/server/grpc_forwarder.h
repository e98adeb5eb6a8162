// The gRPC side: calls any method by name with serialized bytes (grpc::GenericStub), so the gateway
// needs no per-RPC code. Asynchronous (gRPC's callback API): no thread waits on a call.
#pragma once

#include <grpcpp/channel.h>
#include <grpcpp/support/status.h>

#include <functional>
#include <memory>
#include <string>

#include "gateway/core/metadata.h"

namespace nebula::gateway {

struct UpstreamResult {
  grpc::Status status;
  std::string response;  // serialized response message (unary, OK only)
  Metadata headers;      // the server's initial metadata
};

class UpstreamStream {
 public:
  virtual ~UpstreamStream() = default;
  virtual void Cancel() = 0;
};

struct StreamCallbacks {
  // One response message with the server's headers; call `read_next` exactly once when ready for more
  // (also after Cancel).
  std::function<void(std::string message, const Metadata& headers, std::function<void()> read_next)> on_message;
  // The end of the stream (status; headers if any).
  std::function<void(UpstreamResult)> on_done;
};

class GrpcForwarder {
 public:
  explicit GrpcForwarder(std::shared_ptr<grpc::Channel> channel);

  // `method` is "/package.Service/Method".
  void Unary(const std::string& method, std::string request, const IncomingCall& call,
             std::function<void(UpstreamResult)> done);

  std::shared_ptr<UpstreamStream> ServerStream(const std::string& method, std::string request, const IncomingCall& call,
                                               StreamCallbacks callbacks);

 private:
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace nebula::gateway
