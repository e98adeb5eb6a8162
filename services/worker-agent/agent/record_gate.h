// Between nebula.desired and the agent's DesiredView: with trusted keys, only records signed by one of
// them get through (docs/architecture.md "Trust"); every other record is refused, logged and kept for
// the agent's report (WorkerReport.rejected_records, shown by `nebula reports` and `nebula workers get`),
// so an operator sees that someone wrote the topic. Without trusted keys verification is off (logged at
// start): a SignedRecord is unwrapped unverified, as the dev stack's agents without keys need.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/signing/record_signature.h"
#include "nebula/v1/worker_report.pb.h"

namespace nebula::agent {

struct Admission {
  bool admitted = false;
  std::optional<std::string> value;  // the DesiredState bytes for the view (nullopt: a tombstone)
};

class RecordGate {
 public:
  // on_rejection: called (outside the gate's lock) after each refusal, e.g. to publish a report.
  explicit RecordGate(std::vector<signing::PublicKey> trusted, std::function<void()> on_rejection = {});

  bool verifying() const { return !trusted_.empty(); }

  // Thread-safe. With trusted keys, tombstones are not admitted either: a verified deletion is the
  // signed deleted=true record before it, and an unsigned tombstone must not remove an app.
  Admission Admit(const std::string& key, const std::optional<std::string>& value);

  // The newest refusals, oldest first, at most kKeptRejections of them (a flood of forged records
  // cannot grow the report).
  std::vector<v1::RejectedRecord> Rejections() const;

  static constexpr size_t kKeptRejections = 20;

 private:
  void Remember(v1::RejectedRecord rejection);

  std::vector<signing::PublicKey> trusted_;
  std::function<void()> on_rejection_;
  mutable std::mutex mutex_;
  std::deque<v1::RejectedRecord> rejections_;
};

}  // namespace nebula::agent
