#include "echo_backend.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/rpc/error_details.pb.h>
#include <google/rpc/status.pb.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/security/server_credentials.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

namespace nebula::gateway::testing {
namespace {

namespace pb = google::protobuf;

std::string ToString(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  if (!buffer.DumpToSingleSlice(&slice).ok()) return {};
  return std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

grpc::ByteBuffer ToBuffer(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

class EchoReactor final : public grpc::ServerGenericBidiReactor {
 public:
  explicit EchoReactor(grpc::GenericCallbackServerContext* ctx) : ctx_(ctx) { StartRead(&request_); }

  void OnReadDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::INTERNAL, "no request"));
    std::string path = ctx_->method();  // "/pkg.Service/Method"
    std::string full = path.substr(1);
    full[full.find('/')] = '.';
    const pb::MethodDescriptor* method = pb::DescriptorPool::generated_pool()->FindMethodByName(full);
    if (method == nullptr) return Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "unknown method " + path));
    const std::string bytes = ToString(request_);
    ctx_->AddInitialMetadata("echo-request-bin", bytes);
    std::string fail_code, fail_after;
    for (const auto& [k, v] : ctx_->client_metadata()) {
      const std::string key(k.data(), k.size());
      const std::string value(v.data(), v.size());
      if (key == "x-fail-code") fail_code = value;
      if (key == "x-fail-after") fail_after = value;
      if (key.rfind("grpc-", 0) == 0 || (key.size() > 4 && key.substr(key.size() - 4) == "-bin")) continue;
      ctx_->AddInitialMetadata("echo-md-" + key, value);
    }
    if (!fail_code.empty()) return Finish(Failure(std::stoi(fail_code)));

    auto* factory = pb::MessageFactory::generated_factory();
    std::unique_ptr<pb::Message> request(factory->GetPrototype(method->input_type())->New());
    request->ParseFromString(bytes);
    std::unique_ptr<pb::Message> reply(factory->GetPrototype(method->output_type())->New());
    const pb::FieldDescriptor* in_name = method->input_type()->FindFieldByName("name");
    const pb::FieldDescriptor* out_name = method->output_type()->FindFieldByName("name");
    if (in_name && out_name && in_name->type() == pb::FieldDescriptor::TYPE_STRING &&
        out_name->type() == pb::FieldDescriptor::TYPE_STRING) {
      reply->GetReflection()->SetString(reply.get(), out_name, request->GetReflection()->GetString(*request, in_name));
    }
    const pb::FieldDescriptor* generation = method->output_type()->FindFieldByName("generation");
    if (generation && generation->type() == pb::FieldDescriptor::TYPE_INT64) {
      reply->GetReflection()->SetInt64(reply.get(), generation, 9007199254740993);
    }
    reply_ = ToBuffer(reply->SerializeAsString());
    streaming_ = method->server_streaming();
    fail_after_ = !fail_after.empty();
    StartWrite(&reply_);
  }

  void OnWriteDone(bool ok) override {
    ++written_;
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
    if (streaming_ && written_ < 2) return StartWrite(&reply_);
    Finish(fail_after_ ? Failure(4) : grpc::Status::OK);
  }

  void OnDone() override { delete this; }

 private:
  static grpc::Status Failure(int code) {
    google::rpc::Status status;
    status.set_code(code);
    status.set_message("echo failure " + std::to_string(code));
    google::rpc::BadRequest bad;
    auto* v = bad.add_field_violations();
    v->set_field("name");
    v->set_description("asked to fail");
    status.add_details()->PackFrom(bad);
    return grpc::Status(static_cast<grpc::StatusCode>(code), status.message(), status.SerializeAsString());
  }

  grpc::GenericCallbackServerContext* ctx_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer reply_;
  bool streaming_ = false;
  bool fail_after_ = false;
  int written_ = 0;
};

class EchoService final : public grpc::CallbackGenericService {
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    return new EchoReactor(ctx);
  }
};

}  // namespace

struct EchoBackend::Impl {
  EchoService service;
  std::unique_ptr<grpc::Server> server;
};

EchoBackend::EchoBackend() : impl_(std::make_unique<Impl>()) {
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterCallbackGenericService(&impl_->service);
  impl_->server = builder.BuildAndStart();
  address_ = "127.0.0.1:" + std::to_string(port);
}

EchoBackend::~EchoBackend() { impl_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2)); }

}  // namespace nebula::gateway::testing
