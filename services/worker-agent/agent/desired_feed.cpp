#include "agent/desired_feed.h"

#include <spdlog/spdlog.h>

#include "desired_keys.h"

namespace nebula::agent {

using namespace std::chrono_literals;

DesiredFeed::DesiredFeed(const std::string& brokers, const std::map<std::string, std::string>& kafka_settings,
                         const std::string& worker_id, std::vector<std::string> apps,
                         std::function<void()> on_change)
    : on_change_(std::move(on_change)), view_(apps) {
  PartitionReaderOptions options;
  options.brokers = brokers;
  options.topic = std::string(kDesiredTopic);
  options.client_id = "nebula-worker-agent-" + worker_id;
  options.settings = kafka_settings;
  for (const auto& app : apps) options.keys.push_back(AppKey(app));
  reader_ = std::make_unique<PartitionReader>(std::move(options));
}

DesiredFeed::~DesiredFeed() { Stop(); }

void DesiredFeed::Start() {
  thread_ = std::thread([this] { Run(); });
}

void DesiredFeed::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  reader_.reset();  // closes the Kafka connections now, not at destruction
}

DesiredView DesiredFeed::Snapshot() const {
  std::lock_guard lock(mutex_);
  return view_;
}

void DesiredFeed::Run() {
  bool caught_up = false;
  while (!stopping_) {
    const auto records = reader_->Poll(500ms);
    bool changed = false;
    for (const auto& record : records) {
      std::lock_guard lock(mutex_);
      const ApplyResult result = view_.Apply(record.key, record.value);
      if (result == ApplyResult::kApplied) {
        changed = true;
        const AppDesire desire = view_.Desire(record.key.substr(AppKey("").size()));
        spdlog::info("desired {} generation {}: {} (partition {} offset {})", record.key, desire.generation,
                     !record.value ? "tombstone"
                     : desire.kind == DesireKind::kPresent ? (desire.spec.has_running() && !desire.spec.running()
                                                                  ? "present, not running"
                                                                  : "present")
                                                            : "deleted",
                     record.partition, record.offset);
      } else if (result == ApplyResult::kMalformed) {
        spdlog::warn("desired {}: malformed record ignored (partition {} offset {})", record.key, record.partition,
                     record.offset);
      } else {
        spdlog::debug("desired {}: {} record ignored (partition {} offset {})", record.key, ToString(result),
                      record.partition, record.offset);
      }
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
      spdlog::info("initial desired state read ({})", summary);
    }
    if (changed && caught_up) on_change_();
  }
}

}  // namespace nebula::agent
