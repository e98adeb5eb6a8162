#include "worker-agent/agent/report_publisher.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/desired_keys.h"

namespace nebula::agent {

std::string ReportContent(const v1::WorkerReport& report) {
  v1::WorkerReport content = report;
  content.clear_report_time();
  if (content.has_host()) content.mutable_host()->set_disk_free_mb(0);
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  content.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

ReportPublisher::ReportPublisher(kafka::RecordProducer& producer, std::string worker_id, ReportSource source,
                                 ReportPublisherOptions options)
    : producer_(producer), worker_id_(std::move(worker_id)), source_(std::move(source)), options_(options) {}

ReportPublisher::~ReportPublisher() { Stop(); }

void ReportPublisher::Start() {
  thread_ = std::jthread([this](std::stop_token stop) { Loop(stop); });
}

void ReportPublisher::Stop() {
  if (!thread_.joinable()) return;
  thread_.request_stop();
  wake_.notify_all();
  thread_.join();
}

int64_t ReportPublisher::published() const {
  std::lock_guard lock(mutex_);
  return published_;
}

void ReportPublisher::Notify() {
  {
    std::lock_guard lock(mutex_);
    notified_ = true;
  }
  wake_.notify_all();
}

void ReportPublisher::Sleep(std::stop_token stop, std::chrono::milliseconds how_long) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, stop, how_long, [] { return false; });
}

bool ReportPublisher::WaitForNotify(std::stop_token stop, std::chrono::steady_clock::time_point until) {
  std::unique_lock lock(mutex_);
  return wake_.wait_until(lock, stop, until, [&] { return notified_; });
}

void ReportPublisher::Loop(std::stop_token stop) {
  using Clock = std::chrono::steady_clock;
  std::string last_content;
  Clock::time_point last_published;
  bool ever = false, failing = false;
  // After a published change, the next one waits this long (Notify()s meanwhile are kept).
  const auto gap = options_.poll.count() > 0 ? std::min(options_.poll, options_.min_gap) : options_.min_gap;
  while (!stop.stop_requested()) {
    {
      // Notify()s from here on are for the report built below or a newer one.
      std::lock_guard lock(mutex_);
      notified_ = false;
    }
    v1::WorkerReport report;
    try {
      report = source_();
    } catch (const std::exception& e) {
      spdlog::error("building the worker report: {}", e.what());
      Sleep(stop, options_.retry);
      continue;
    }
    std::string content = ReportContent(report);
    const auto now = Clock::now();
    if (ever && content == last_content && now - last_published < options_.heartbeat) {
      auto until = last_published + options_.heartbeat;
      if (options_.poll.count() > 0) until = std::min(until, now + options_.poll);
      if (WaitForNotify(stop, until) && options_.poll.count() == 0) Sleep(stop, options_.settle);
      continue;
    }
    const auto delivery =
        producer_.Produce(kReportsTopic, {kafka::ProducerRecord{worker_id_, report.SerializeAsString()}}, stop);
    if (stop.stop_requested()) return;
    if (delivery.delivered_prefix == 1) {
      if (failing) spdlog::info("reports reach {} again", kReportsTopic);
      failing = false;
      ever = true;
      last_content = std::move(content);
      last_published = now;
      std::lock_guard lock(mutex_);
      ++published_;
    } else {
      const std::string error = delivery.results.empty() ? "no delivery report" : delivery.results[0].error;
      if (!failing)
        spdlog::warn("report not delivered to {}: {}; retrying with the newest report", kReportsTopic, error);
      failing = true;
      Sleep(stop, options_.retry);
      continue;
    }
    Sleep(stop, gap);
  }
}

}  // namespace nebula::agent
