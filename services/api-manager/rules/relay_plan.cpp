#include "api-manager/rules/relay_plan.h"

#include <algorithm>

namespace nebula::api_manager {

RelayStep PlanRelayStep(const std::vector<OutboxRow>& rows, const std::vector<kafka::DeliveryResult>& results) {
  RelayStep step;
  size_t i = 0;
  for (; i < rows.size() && i < results.size() && results[i].delivered; ++i) step.delete_ids.push_back(rows[i].id);
  step.undelivered = rows.size() - i;
  if (step.undelivered > 0)
    step.first_error = i < results.size() && !results[i].error.empty() ? results[i].error : "no delivery result";
  return step;
}

std::chrono::milliseconds RelayBackoff(int consecutive_failures) {
  constexpr std::chrono::milliseconds kFirst{200};
  constexpr std::chrono::milliseconds kMax{5000};
  int doublings = std::clamp(consecutive_failures - 1, 0, 16);
  return std::min(kMax, kFirst * (int64_t{1} << doublings));
}

std::vector<kafka::ProducerRecord> RecordsOf(const std::vector<OutboxRow>& rows) {
  std::vector<kafka::ProducerRecord> records;
  records.reserve(rows.size());
  for (const auto& row : rows) records.push_back({row.key, row.payload});
  return records;
}

std::vector<bool> SupersededRows(const std::vector<OutboxRow>& rows, const GenerationsByKey& published) {
  std::vector<bool> superseded(rows.size(), false);
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto newest = published.find(rows[i].key);
    if (newest == published.end()) continue;
    const std::optional<int64_t> generation = PublishedGeneration(rows[i].payload);
    superseded[i] = generation && *generation < newest->second;
  }
  return superseded;
}

}  // namespace nebula::api_manager
