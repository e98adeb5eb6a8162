#include "worker-agent/agent/record_gate.h"

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include "nebula/v1/desired_state.pb.h"

namespace nebula::agent {

namespace {

// What the refused record says it is, for the report (it proves nothing).
int64_t ClaimedGeneration(const std::string& value) {
  v1::DesiredState state;
  return state.ParseFromString(signing::UnwrapUnverified(value)) ? state.generation() : 0;
}

}  // namespace

RecordGate::RecordGate(std::vector<signing::PublicKey> trusted, std::function<void()> on_rejection)
    : trusted_(std::move(trusted)), on_rejection_(std::move(on_rejection)) {}

Admission RecordGate::Admit(const std::string& key, const std::optional<std::string>& value) {
  if (!verifying()) return {true, value ? std::optional(signing::UnwrapUnverified(*value)) : std::nullopt};
  if (!value) {
    spdlog::debug("desired {}: tombstone ignored (records are verified; a deletion is a signed record)", key);
    return {};
  }
  signing::OpenedRecord opened = signing::OpenRecord(trusted_, key, *value);
  if (opened.payload) return {true, std::move(opened.payload)};
  v1::RejectedRecord rejection;
  rejection.set_key(key);
  rejection.set_reason(opened.refusal);
  rejection.set_claimed_generation(ClaimedGeneration(*value));
  *rejection.mutable_time() = google::protobuf::util::TimeUtil::GetCurrentTime();
  spdlog::warn("desired {}: record refused (claims generation {}): {}", key, rejection.claimed_generation(),
               opened.refusal);
  Remember(std::move(rejection));
  if (on_rejection_) on_rejection_();
  return {};
}

void RecordGate::Remember(v1::RejectedRecord rejection) {
  std::lock_guard lock(mutex_);
  rejections_.push_back(std::move(rejection));
  while (rejections_.size() > kKeptRejections) rejections_.pop_front();
}

std::vector<v1::RejectedRecord> RecordGate::Rejections() const {
  std::lock_guard lock(mutex_);
  return {rejections_.begin(), rejections_.end()};
}

}  // namespace nebula::agent
