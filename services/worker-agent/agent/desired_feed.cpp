#include "worker-agent/agent/desired_feed.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/desired_keys.h"

namespace nebula::agent {

using namespace std::chrono_literals;

namespace {
// The longest one Poll() may block. Stop() wakes it, records end it, and the reader itself wakes
// for its partition-count checks; so this only bounds how long a lost wake-up could go unnoticed.
constexpr auto kIdlePoll = 60s;
}  // namespace

DesiredFeed::DesiredFeed(const std::string& brokers, const std::map<std::string, std::string>& kafka_settings,
                         const std::string& worker_id, std::vector<std::string> apps, std::function<void()> on_change)
    : DesiredFeed(brokers, kafka_settings, worker_id, DesiredView(std::move(apps)), std::move(on_change)) {}

DesiredFeed::DesiredFeed(const std::string& brokers, const std::map<std::string, std::string>& kafka_settings,
                         const std::string& worker_id, DesiredView view, std::function<void()> on_change)
    : brokers_(brokers),
      kafka_settings_(kafka_settings),
      client_id_("nebula-worker-agent-" + worker_id),
      on_change_(std::move(on_change)),
      view_(std::move(view)) {
  keys_ = view_.Keys();
  std::sort(keys_.begin(), keys_.end());
  reader_ = MakeReader(keys_);
}

std::unique_ptr<PartitionReader> DesiredFeed::MakeReader(const std::vector<std::string>& keys) const {
  PartitionReaderOptions options;
  options.brokers = brokers_;
  options.topic = std::string(kDesiredTopic);
  options.client_id = client_id_;
  options.settings = kafka_settings_;
  options.keys = keys;
  return std::make_unique<PartitionReader>(std::move(options));
}

DesiredFeed::~DesiredFeed() { Stop(); }

void DesiredFeed::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
}

void DesiredFeed::Stop() {
  {
    std::lock_guard lock(reader_mutex_);
    thread_.request_stop();
    if (reader_) reader_->Wake();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(reader_mutex_);
  reader_.reset();  // closes the Kafka connections now, not at destruction
}

DesiredView DesiredFeed::Snapshot() const {
  std::lock_guard lock(mutex_);
  return view_;
}

void DesiredFeed::Run(std::stop_token stop) {
  bool caught_up = false;
  while (!stop.stop_requested()) {
    const auto records = reader_->Poll(kIdlePoll);
    bool changed = false;
    std::vector<std::string> keys;
    {
      std::lock_guard lock(mutex_);
      for (const auto& record : records) {
        std::optional<std::string> value = record.value;
        if (gate_) {
          Admission admission = gate_->Admit(record.key, record.value);
          if (!admission.admitted) continue;
          value = std::move(admission.value);
        }
        const ApplyResult result = view_.Apply(record.key, value);
        if (result == ApplyResult::kApplied) {
          changed = true;
          spdlog::info("desired {}: {} (partition {} offset {})", record.key,
                       record.value ? "new generation" : "tombstone", record.partition, record.offset);
        } else if (result == ApplyResult::kMalformed) {
          spdlog::warn("desired {}: malformed record ignored (partition {} offset {})", record.key, record.partition,
                       record.offset);
        } else {
          spdlog::debug("desired {}: {} record ignored (partition {} offset {})", record.key, ToString(result),
                        record.partition, record.offset);
        }
      }
      keys = view_.Keys();
    }
    std::sort(keys.begin(), keys.end());
    if (keys != keys_) {
      // The group's lists changed: read the new keys' partitions from the start. Records already
      // applied come again and are stale; nothing counts as caught up before the new reader is.
      spdlog::info("desired keys changed ({} keys): re-reading their partitions", keys.size());
      keys_ = std::move(keys);
      auto next = MakeReader(keys_);
      std::lock_guard lock(reader_mutex_);
      reader_ = std::move(next);  // a Stop() in between requested the stop, which the loop checks next
      if (changed && caught_up) on_change_();
      continue;
    }
    if (!caught_up && reader_->caught_up()) {
      caught_up = true;
      std::lock_guard lock(mutex_);
      view_.MarkCaughtUp();
      changed = true;
      std::string summary;
      for (const auto& app : view_.apps()) {
        const AppDesire desire = view_.Desire(app);
        summary += (summary.empty() ? "" : ", ") + app + ": " +
                   (desire.kind == DesireKind::kPresent ? "generation " + std::to_string(desire.generation)
                                                        : std::string("none"));
      }
      spdlog::info("initial desired state read ({}{})", view_.group() ? "group " + *view_.group() + "; " : "", summary);
    }
    if (changed && caught_up) on_change_();
  }
}

}  // namespace nebula::agent
