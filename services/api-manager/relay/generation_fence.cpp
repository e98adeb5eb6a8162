#include "api-manager/relay/generation_fence.h"

#include <spdlog/spdlog.h>

#include "common/error.h"
#include "common/kafka/partition_reader.h"
#include "common/signing/record_signature.h"

namespace nebula::api_manager {
namespace {

class KafkaPublishedGenerations final : public PublishedGenerations {
 public:
  explicit KafkaPublishedGenerations(KafkaTopicSettings settings) : settings_(std::move(settings)) {}

  GenerationsByKey Read(std::stop_token stop) override {
    PartitionReaderOptions options{.brokers = settings_.brokers,
                                   .topic = settings_.topic,
                                   .every_key = true,
                                   .client_id = "nebula-api-manager-fence",
                                   .settings = settings_.properties};
    // The topic is read to its end, not tailed: no reason to wait at the broker for new records.
    options.fetch_wait = std::chrono::milliseconds(100);
    PartitionReader reader(std::move(options));
    GenerationsByKey published;
    const auto deadline = std::chrono::steady_clock::now() + settings_.read_timeout;
    while (!reader.caught_up()) {
      if (stop.stop_requested()) throw Error(ErrorCode::kUnavailable, "stopping");
      if (std::chrono::steady_clock::now() > deadline)
        throw Error(ErrorCode::kUnavailable, "could not read " + settings_.topic + " to its end within " +
                                                 std::to_string(settings_.read_timeout.count()) + " ms");
      for (const auto& record : reader.Poll(std::chrono::milliseconds(200)))
        // Signed or not, verified or not: any generation an agent may hold counts.
        NotePublished(published, record.key,
                      record.value ? std::optional(signing::UnwrapUnverified(*record.value)) : std::nullopt);
    }
    return published;
  }

 private:
  KafkaTopicSettings settings_;
};

}  // namespace

std::unique_ptr<PublishedGenerations> MakeKafkaPublishedGenerations(KafkaTopicSettings settings) {
  return std::make_unique<KafkaPublishedGenerations>(std::move(settings));
}

GenerationsByKey GenerationFence::Apply(std::stop_token stop) {
  const GenerationsByKey published = topic_.Read(stop);
  const WriteInfo info{.actor = "nebula-api-manager", .action = "GenerationFence"};
  // A jump finds its object moved by a concurrent write (one generation at a time, so possibly still
  // behind): plan again from what is stored now, a few times.
  size_t moved = 0;
  for (int round = 0; round < 5; ++round) {
    const std::vector<GenerationJump> jumps = PlanGenerationJumps(published, store_.StoredGenerations());
    if (jumps.empty()) {
      if (moved > 0) spdlog::warn("generation fence: moved {} objects past what the topic carries", moved);
      return published;
    }
    for (const GenerationJump& jump : jumps) {
      if (!store_.Jump(jump, info)) continue;
      ++moved;
      spdlog::warn("generation fence: {} {}", jump.key, DescribeJump(jump));
    }
  }
  throw Error(ErrorCode::kUnavailable, "generation fence: objects kept changing while being moved past the topic");
}

}  // namespace nebula::api_manager
