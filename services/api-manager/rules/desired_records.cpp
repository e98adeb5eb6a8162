#include "api-manager/rules/desired_records.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <google/protobuf/util/time_util.h>

#include "common/desired_keys.h"
#include "nebula/v1/desired_state.pb.h"
#include "api-manager/rules/resource_requests.h"

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

std::string DesiredKeyOf(ResourceKind kind, std::string_view name) {
  switch (kind) {
    case ResourceKind::kDeviceGroup: return DeviceGroupKey(name);
    case ResourceKind::kCronJob: return CronJobKey(name);
    case ResourceKind::kGlobal: return std::string(kGlobalKey);
  }
  return std::string(name);
}

std::vector<OutboxRecord> RecordsForObjectChange(ResourceKind kind, const StoredObject& object) {
  nebula::v1::DesiredState state;
  state.set_key(DesiredKeyOf(kind, object.name));
  state.set_generation(object.generation);
  *state.mutable_commit_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(object.update_us);
  switch (kind) {
    case ResourceKind::kDeviceGroup: *state.mutable_device_group() = DeviceGroupFromStored(object); break;
    case ResourceKind::kCronJob: *state.mutable_cron_job() = CronJobFromStored(object); break;
    case ResourceKind::kGlobal: *state.mutable_global() = GlobalFromStored(object); break;
  }
  return {{state.key(), SerializeDeterministic(state)}};
}

std::vector<OutboxRecord> RecordsForObjectDeletion(ResourceKind kind, std::string_view name, int64_t generation,
                                                   int64_t time_us) {
  nebula::v1::DesiredState state;
  state.set_key(DesiredKeyOf(kind, name));
  state.set_generation(generation);
  state.set_deleted(true);
  *state.mutable_commit_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(time_us);
  switch (kind) {
    case ResourceKind::kDeviceGroup:
      state.mutable_device_group()->set_name(std::string(name));
      state.mutable_device_group()->set_generation(generation);
      break;
    case ResourceKind::kCronJob:
      state.mutable_cron_job()->set_name(std::string(name));
      state.mutable_cron_job()->set_generation(generation);
      break;
    case ResourceKind::kGlobal: state.mutable_global(); break;
  }
  return {{state.key(), SerializeDeterministic(state)}, {state.key(), std::nullopt}};
}

std::string_view ResourceKindName(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kDeviceGroup: return "device_group";
    case ResourceKind::kCronJob: return "cron_job";
    case ResourceKind::kGlobal: return "global";
  }
  return "object";
}

}  // namespace nebula::api_manager
