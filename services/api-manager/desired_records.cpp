#include "desired_records.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "desired_keys.h"
#include "nebula/v1/desired_state.pb.h"

namespace nebula::api_manager {

std::string SerializeDeterministic(const google::protobuf::Message& message) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

std::vector<OutboxRecord> RecordsForAppChange(const nebula::v1::App& app) {
  nebula::v1::DesiredState state;
  state.set_key(AppKey(app.name()));
  state.set_generation(app.generation());
  *state.mutable_commit_time() = app.update_time();
  *state.mutable_app() = app;
  return {{state.key(), SerializeDeterministic(state)}};
}

std::vector<OutboxRecord> RecordsForAppDeletion(std::string_view name, int64_t generation,
                                                const google::protobuf::Timestamp& time) {
  nebula::v1::DesiredState state;
  state.set_key(AppKey(name));
  state.set_generation(generation);
  state.set_deleted(true);
  *state.mutable_commit_time() = time;
  state.mutable_app()->set_name(std::string(name));
  state.mutable_app()->set_generation(generation);
  return {{state.key(), SerializeDeterministic(state)}, {state.key(), std::nullopt}};
}

}  // namespace nebula::api_manager
