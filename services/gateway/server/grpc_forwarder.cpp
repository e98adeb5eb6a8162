#include "gateway/server/grpc_forwarder.h"

#include <grpcpp/client_context.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/client_callback.h>

#include <chrono>

namespace nebula::gateway {
namespace {

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string FromBuffer(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  if (!buffer.TrySingleSlice(&slice).ok()) {
    if (!buffer.DumpToSingleSlice(&slice).ok()) return {};
  }
  return std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

void Prepare(grpc::ClientContext& ctx, const IncomingCall& call) {
  for (const auto& [key, value] : call.metadata) ctx.AddMetadata(key, value);
  if (call.timeout) ctx.set_deadline(std::chrono::system_clock::now() + *call.timeout);
}

Metadata HeadersOf(const grpc::ClientContext& ctx) {
  Metadata out;
  for (const auto& [key, value] : ctx.GetServerInitialMetadata()) {
    out.emplace_back(std::string(key.data(), key.size()), std::string(value.data(), value.size()));
  }
  return out;
}

struct UnaryState {
  grpc::ClientContext ctx;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  std::string method;  // grpc keeps a pointer to it for the call's lifetime
};

class StreamCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                         public UpstreamStream,
                         public std::enable_shared_from_this<StreamCall> {
 public:
  StreamCall(std::string method, std::string request, StreamCallbacks callbacks)
      : method_(std::move(method)), request_(ToBuffer(request)), callbacks_(std::move(callbacks)) {}

  void Start(grpc::GenericStub& stub, const IncomingCall& call) {
    self_ = shared_from_this();  // released in OnDone: gRPC holds the reactor until then
    Prepare(ctx_, call);
    stub.PrepareBidiStreamingCall(&ctx_, method_, grpc::StubOptions(), this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    AddHold();  // OnDone waits until we stop reading (OnReadDone(false))
    StartCall();
  }

  void Cancel() override { ctx_.TryCancel(); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      RemoveHold();
      return;
    }
    if (!headers_read_) {
      headers_ = HeadersOf(ctx_);
      headers_read_ = true;
    }
    auto self = shared_from_this();
    callbacks_.on_message(FromBuffer(response_), headers_, [self] { self->StartRead(&self->response_); });
  }

  void OnDone(const grpc::Status& status) override {
    UpstreamResult result;
    result.status = status;
    result.headers = headers_read_ ? headers_ : HeadersOf(ctx_);
    callbacks_.on_done(std::move(result));
    self_.reset();
  }

 private:
  grpc::ClientContext ctx_;
  std::string method_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  StreamCallbacks callbacks_;
  Metadata headers_;
  bool headers_read_ = false;
  std::shared_ptr<StreamCall> self_;
};

}  // namespace

GrpcForwarder::GrpcForwarder(std::shared_ptr<grpc::Channel> channel) : channel_(std::move(channel)) {}

void GrpcForwarder::Unary(const std::string& method, std::string request, const IncomingCall& call,
                          std::function<void(UpstreamResult)> done) {
  auto state = std::make_shared<UnaryState>();
  state->method = method;
  state->request = ToBuffer(request);
  Prepare(state->ctx, call);
  grpc::GenericStub stub(channel_);
  stub.UnaryCall(&state->ctx, state->method, grpc::StubOptions(), &state->request, &state->response,
                 [state, done = std::move(done)](grpc::Status status) {
                   UpstreamResult result;
                   if (status.ok()) result.response = FromBuffer(state->response);
                   result.headers = HeadersOf(state->ctx);
                   result.status = std::move(status);
                   done(std::move(result));
                 });
}

std::shared_ptr<UpstreamStream> GrpcForwarder::ServerStream(const std::string& method, std::string request,
                                                            const IncomingCall& call, StreamCallbacks callbacks) {
  auto stream = std::make_shared<StreamCall>(method, std::move(request), std::move(callbacks));
  grpc::GenericStub stub(channel_);
  stream->Start(stub, call);
  return stream;
}

}  // namespace nebula::gateway
