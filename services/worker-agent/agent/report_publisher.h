// Publishes this worker's WorkerReport (the message GetStatus returns) to nebula.reports, key =
// worker id, whenever its content changes and at least every `heartbeat`. On its own thread, so a
// Kafka outage never holds up reconciliation: while a publish waits for its delivery report the
// agent goes on, and the next publish takes the newest report (latest wins; nothing queues up).
//
// Whoever changes what the report says calls Notify(); with `poll` 0 the publisher compares only
// then and at the heartbeat, so an idle agent's publisher never wakes in between.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>

#include "nebula/v1/worker_report.pb.h"
#include "common/kafka/record_producer.h"

namespace nebula::agent {

// What counts as a change: everything but the report time and the free disk space (which moves
// all the time and is refreshed by the heartbeat).
std::string ReportContent(const v1::WorkerReport& report);

struct ReportPublisherOptions {
  std::chrono::milliseconds heartbeat{std::chrono::seconds(30)};
  // How often the report is compared besides Notify(); 0 = only on Notify() and at the heartbeat.
  std::chrono::milliseconds poll{250};
  std::chrono::milliseconds retry{std::chrono::seconds(2)};  // after a failed delivery
  // The least time between two published changes (a burst of passes makes one or two reports).
  std::chrono::milliseconds min_gap{250};
  // With `poll` 0: after a Notify() on an idle publisher, the report is built this much later, so the
  // passes of one change (act, then verify) make one report, not one each.
  std::chrono::milliseconds settle{100};
};

class ReportPublisher {
 public:
  using ReportSource = std::function<v1::WorkerReport()>;

  ReportPublisher(kafka::RecordProducer& producer, std::string worker_id, ReportSource source,
                  ReportPublisherOptions options = {});
  ~ReportPublisher();

  void Start();
  void Stop();
  // The report may have changed: compare it now. Thread-safe, cheap, never blocks on Kafka.
  void Notify();

  int64_t published() const;  // delivered reports, for tests and logs

 private:
  void Loop(std::stop_token stop);
  // Sleeps `how_long` whatever Notify() says.
  void Sleep(std::stop_token stop, std::chrono::milliseconds how_long);
  // Sleeps until `until` or a Notify(); true for a Notify().
  bool WaitForNotify(std::stop_token stop, std::chrono::steady_clock::time_point until);

  kafka::RecordProducer& producer_;
  std::string worker_id_;
  ReportSource source_;
  ReportPublisherOptions options_;

  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  int64_t published_ = 0;
  bool notified_ = false;
  std::jthread thread_;
};

}  // namespace nebula::agent
