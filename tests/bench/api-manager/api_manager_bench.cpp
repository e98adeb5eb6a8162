// Load generator for nebula-api-manager (docs/architecture.md "Performance targets"): GetApp throughput and latency,
// and UpdateApp latency counted until the change's record is on nebula.desired (commit + outbox relay + Kafka ack),
// read back by a consumer the way agents read the topic.
//
//   api_manager_bench --endpoint 127.0.0.1:50051 --kafka-brokers 127.0.0.1:9092 --clients 8 --seconds 10
#include <CLI/CLI.hpp>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "common/desired_keys.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/desired_state.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string endpoint = "127.0.0.1:50051";
  std::string kafka_brokers = "127.0.0.1:9092";
  std::string token;
  int clients = 8;
  int apps = 16;
  double seconds = 10;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = std::min(values.size() - 1, size_t(p / 100.0 * double(values.size())));
  return values[index];
}

void Report(const char* what, const std::vector<double>& ms, double seconds, int errors) {
  std::printf("%-28s %8zu ok %5d errors %9.0f /s   p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms\n", what,
              ms.size(), errors, double(ms.size()) / seconds, Percentile(ms, 50), Percentile(ms, 90),
              Percentile(ms, 99), Percentile(ms, 100));
}

std::unique_ptr<grpc::ClientContext> Context(const Options& options) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  if (!options.token.empty()) context->AddMetadata("authorization", "Bearer " + options.token);
  return context;
}

// Runs fn(client, app_index) on every client thread for the duration; fn returns true on success
// and pushes its latency in ms.
template <class Fn>
std::pair<std::vector<double>, int> RunLoad(const Options& options, Fn fn) {
  std::vector<std::vector<double>> latencies(size_t(options.clients));
  std::atomic<int> errors{0};
  const auto end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options.seconds));
  std::vector<std::thread> threads;
  for (int c = 0; c < options.clients; ++c) {
    threads.emplace_back([&, c] {
      for (int i = 0; Clock::now() < end; ++i) {
        // Each client owns apps c, c+clients, ...: concurrent writers never fight over one row.
        int app = (c + i * options.clients) % options.apps;
        if (!fn(c, app, latencies[size_t(c)])) ++errors;
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  return {all, errors.load()};
}

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

int main(int argc, char** argv) {
  Options options;
  CLI::App cli{"api-manager benchmark: GetApp, and UpdateApp until its record is on nebula.desired"};
  cli.add_option("--endpoint", options.endpoint)->envname("NEBULA_ENDPOINT")->capture_default_str();
  cli.add_option("--kafka-brokers", options.kafka_brokers)->envname("NEBULA_KAFKA_BROKERS")->capture_default_str();
  cli.add_option("--token", options.token, "bearer token (--auth required)")->envname("NEBULA_TOKEN");
  cli.add_option("--clients", options.clients, "concurrent client threads")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cli.add_option("--apps", options.apps, "apps written (bench-<i>)")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  cli.add_option("--seconds", options.seconds, "duration of each phase")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  CLI11_PARSE(cli, argc, argv);
  if (options.apps < options.clients) options.apps = options.clients;

  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::vector<std::unique_ptr<nebula::v1::ApiManager::Stub>> stubs;
  for (int c = 0; c < options.clients; ++c) {
    args.SetInt("bench.client", c);  // a distinct channel (connection) per client
    stubs.push_back(nebula::v1::ApiManager::NewStub(
        grpc::CreateCustomChannel(options.endpoint, grpc::InsecureChannelCredentials(), args)));
  }
  auto name = [](int i) { return "bench-" + std::to_string(i); };
  for (int i = 0; i < options.apps; ++i) {
    nebula::v1::CreateAppRequest request;
    request.mutable_app()->set_name(name(i));
    request.mutable_app()->mutable_spec()->set_image("nebtest/busybox:1");
    request.mutable_app()->mutable_spec()->set_running(false);
    nebula::v1::App app;
    auto status = stubs[0]->CreateApp(Context(options).get(), request, &app);
    if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::fprintf(stderr, "CreateApp %s: %s\n", name(i).c_str(), status.error_message().c_str());
      return 1;
    }
  }

  auto [get_ms, get_errors] = RunLoad(options, [&](int c, int app, std::vector<double>& out) {
    nebula::v1::GetAppRequest request;
    request.set_name(name(app));
    nebula::v1::App response;
    auto start = Clock::now();
    bool ok = stubs[size_t(c)]->GetApp(Context(options).get(), request, &response).ok();
    if (ok) out.push_back(Ms(Clock::now() - start));
    return ok;
  });

  // The consumer notes when each (key, generation) arrives; it starts at the end of every partition.
  std::string errstr;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", options.kafka_brokers, errstr);
  conf->set("group.id", "nebula-bench", errstr);
  conf->set("enable.auto.commit", "false", errstr);
  conf->set("fetch.wait.max.ms", "5", errstr);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  if (!consumer) {
    std::fprintf(stderr, "kafka consumer: %s\n", errstr.c_str());
    return 1;
  }
  const std::string topic(nebula::kDesiredTopic);
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, errstr));
  RdKafka::Metadata* raw = nullptr;
  if (consumer->metadata(false, handle.get(), &raw, 10000) != RdKafka::ERR_NO_ERROR) {
    std::fprintf(stderr, "kafka metadata of %s failed\n", topic.c_str());
    return 1;
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  std::vector<RdKafka::TopicPartition*> assignment;
  for (size_t p = 0; p < metadata->topics()->at(0)->partitions()->size(); ++p)
    assignment.push_back(RdKafka::TopicPartition::create(topic, int32_t(p), RdKafka::Topic::OFFSET_END));
  consumer->assign(assignment);
  RdKafka::TopicPartition::destroy(assignment);
  std::mutex seen_mutex;
  std::map<std::pair<std::string, int64_t>, Clock::time_point> seen;
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(50));
      if (m->err() != RdKafka::ERR_NO_ERROR || !m->payload()) continue;
      nebula::v1::DesiredState state;
      if (!state.ParseFromArray(m->payload(), int(m->len()))) continue;
      std::lock_guard lock(seen_mutex);
      seen[{state.key(), state.generation()}] = Clock::now();
    }
  });
  std::this_thread::sleep_for(std::chrono::seconds(2));  // let the assignment settle at the end offsets

  struct Sent {
    std::string key;
    int64_t generation;
    Clock::time_point start;
    Clock::time_point acked;
  };
  std::mutex sent_mutex;
  std::vector<Sent> sent;
  const auto update_start = Clock::now();
  auto [ack_ms, update_errors] = RunLoad(options, [&](int c, int app, std::vector<double>& out) {
    nebula::v1::UpdateAppRequest request;
    request.mutable_app()->set_name(name(app));
    request.mutable_app()->mutable_spec()->set_image("nebtest/busybox:1");
    request.mutable_app()->mutable_spec()->set_running(false);
    (*request.mutable_app()->mutable_spec()->mutable_env())["N"] = std::to_string(c);
    nebula::v1::App response;
    auto start = Clock::now();
    bool ok = stubs[size_t(c)]->UpdateApp(Context(options).get(), request, &response).ok();
    auto acked = Clock::now();
    if (ok) {
      out.push_back(Ms(acked - start));
      std::lock_guard lock(sent_mutex);
      sent.push_back({nebula::AppKey(name(app)), response.generation(), start, acked});
    }
    return ok;
  });
  // Wait (up to 60 s) for the relay to deliver the tail.
  const auto wait_end = Clock::now() + std::chrono::seconds(60);
  size_t delivered = 0;
  while (Clock::now() < wait_end) {
    delivered = 0;
    {
      std::lock_guard lock(seen_mutex);
      for (const auto& s : sent) delivered += seen.count({s.key, s.generation});
    }
    if (delivered == sent.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  stop = true;
  reader.join();
  consumer->close();

  std::vector<double> kafka_ms;
  Clock::time_point last_seen = update_start;
  for (const auto& s : sent) {
    auto it = seen.find({s.key, s.generation});
    if (it == seen.end()) continue;
    kafka_ms.push_back(Ms(it->second - s.start));
    last_seen = std::max(last_seen, it->second);
  }
  const double update_window = std::chrono::duration<double>(last_seen - update_start).count();
  std::printf("endpoint %s, %d clients, %d apps, %.0f s per phase\n", options.endpoint.c_str(), options.clients,
              options.apps, options.seconds);
  Report("GetApp", get_ms, options.seconds, get_errors);
  Report("UpdateApp (reply)", ack_ms, options.seconds, update_errors);
  Report("UpdateApp (on nebula.desired)", kafka_ms, std::max(update_window, options.seconds),
         int(sent.size() - kafka_ms.size()));
  return kafka_ms.size() == sent.size() && get_errors == 0 && update_errors == 0 ? 0 : 2;
}
