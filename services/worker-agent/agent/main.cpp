// nebula-worker-agent: reconciles this host's dockerd with the desired state of its apps
// (docs/architecture.md "Agent"). Serves WorkerAgent from the start, before Kafka or dockerd are reachable.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "worker-agent/agent/agent_config.h"
#include "worker-agent/agent/cron_runner.h"
#include "worker-agent/agent/desired_feed.h"
#include "worker-agent/agent/drift_watch.h"
#include "worker-agent/agent/host_probe.h"
#include "worker-agent/agent/reconciler.h"
#include "worker-agent/agent/report_publisher.h"
#include "worker-agent/agent/worker_agent_service.h"
#include "worker-agent/core/container_labels.h"
#include "worker-agent/docker/engine_api_client.h"
#include "worker-agent/docker/hollow_docker_client.h"
#include "common/error.h"
#include "common/logging.h"

namespace {

constexpr const char* kAgentVersion = "0.1.0";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// Whether librdkafka will use Cyrus SASL: only for GSSAPI (Kerberos), which is also its default
// mechanism once security.protocol is sasl_*; PLAIN, SCRAM and OAUTHBEARER are its own code.
bool KafkaUsesCyrusSasl(const std::map<std::string, std::string>& settings) {
  auto lower = [](std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
  };
  std::string protocol, mechanism = "gssapi";
  for (const auto& [key, value] : settings) {
    if (key == "security.protocol") protocol = lower(value);
    if (key == "sasl.mechanism" || key == "sasl.mechanisms") mechanism = lower(value);
  }
  return protocol.rfind("sasl", 0) == 0 && mechanism.find("gssapi") != std::string::npos;
}

// docs/architecture.md "Performance targets": an idle agent with 10 apps within 15 MB RSS. Runs before any thread
// starts.
void LimitFootprint(const nebula::agent::AgentConfig& config) {
  // glibc gives each allocating thread its own arena (up to 8 per core), each holding on to what was
  // freed in it; the agent's ~20 threads allocate little and seldom at once, so two arenas do.
  mallopt(M_ARENA_MAX, 2);
  // librdkafka starts Cyrus SASL, which loads every plugin in /usr/lib/<arch>/sasl2 and, through
  // them, libcrypto.so and libdb (~2 MB RSS) even when Kafka is plain TCP. Without GSSAPI the agent
  // needs none of them; SASL_PATH set by the user wins.
  if (!KafkaUsesCyrusSasl(config.kafka_settings)) setenv("SASL_PATH", "/nonexistent", /*overwrite=*/0);
}

int Run(const nebula::agent::AgentConfig& config) {
  using namespace nebula::agent;

  // Signals are taken by sigwait() below; every thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const HostFacts host = ProbeHost(config.host_cpus, config.host_memory_mb);
  AgentSettings settings{config.worker_id, config.default_host_ip};
  spdlog::info("worker {} for {}: {} cores, {} MiB, dockerd {}, kafka {}, resync every {}s", config.worker_id,
               config.device_group.empty() ? "apps [" + Join(config.apps) + "]" : "device group " + config.device_group,
               host.cpu_cores, host.memory_mb, config.docker_host, config.kafka_brokers, config.resync_seconds);

  const RegistryCredentials credentials = LoadRegistryCredentials(config);
  std::vector<nebula::signing::PublicKey> trusted_keys = LoadTrustedKeys(config);
  if (!credentials.empty()) {
    std::string hosts;
    for (const auto& entry : credentials) hosts += (hosts.empty() ? "" : ", ") + entry.first;
    spdlog::info("registry credentials for {}", hosts);  // hosts only, never the secrets
  }
  std::unique_ptr<DockerClient> runtime;
  if (config.runtime == "hollow") {
    spdlog::warn("--runtime=hollow: containers exist in memory only (benchmarks)");
    runtime = std::make_unique<HollowDockerClient>();
  } else {
    runtime = std::make_unique<EngineApiClient>(config.docker_host, credentials);
  }
  DockerClient& docker = *runtime;
  ReconcilerOptions options;
  options.resync = std::chrono::seconds(config.resync_seconds);
  options.executor.stop_timeout = std::chrono::seconds(config.stop_timeout_seconds);
  options.executor.parallelism = config.docker_parallelism;

  // Status changes reach the report publisher through Notify(), so it never polls.
  ReportPublisher* report_publisher = nullptr;  // set before any thread starts
  auto status_changed = [&] {
    if (report_publisher) report_publisher->Notify();
  };
  options.on_status_change = status_changed;

  std::unique_ptr<Reconciler> reconciler;
  std::unique_ptr<CronRunner> cron;
  DesiredView initial =
      config.device_group.empty() ? DesiredView(config.apps) : DesiredView::ForGroup(config.device_group);
  DesiredFeed feed(config.kafka_brokers, config.kafka_settings, config.worker_id, std::move(initial), [&] {
    if (reconciler) reconciler->Trigger();
    if (cron) cron->Trigger();
  });
  std::string trusted_ids;
  for (const auto& key : trusted_keys) trusted_ids += (trusted_ids.empty() ? "" : ", ") + key.id;
  RecordGate gate(std::move(trusted_keys), status_changed);
  if (gate.verifying()) {
    spdlog::info("nebula.desired: applying only records signed by a trusted key ({})", trusted_ids);
  } else {
    spdlog::warn(
        "nebula.desired: records are NOT verified (no --trusted-keys): anyone who can write the topic can "
        "run containers here");
  }
  feed.SetGate(&gate);
  reconciler = std::make_unique<Reconciler>(
      docker, [&] { return feed.Snapshot(); }, host, settings, options);
  if (!config.device_group.empty()) {
    CronRunnerOptions cron_options;
    cron_options.idle_look = std::chrono::milliseconds(0);  // the feed calls Trigger() on every change
    cron_options.on_status_change = status_changed;
    cron = std::make_unique<CronRunner>(
        docker, [&] { return feed.Snapshot(); }, settings, nullptr, cron_options);
  }
  auto status = [&] {
    AgentStatus s = reconciler->Status();
    if (cron) {
      for (auto& job : cron->Status()) s.cron_jobs.emplace_back(job.job, std::move(job.state));
    }
    return s;
  };

  ReportContext context{config.worker_id, "", config.apps, host, kAgentVersion};
  char hostname[256] = {0};
  gethostname(hostname, sizeof(hostname) - 1);
  context.hostname = hostname;
  WorkerAgentService service(status, context);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int bound_port = 0;
  builder.AddListeningPort(config.listen, grpc::InsecureServerCredentials(), &bound_port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound_port == 0) {
    spdlog::critical("cannot listen on {}", config.listen);
    return 1;
  }
  spdlog::info("WorkerAgent listening on {}", config.listen);

  DriftWatch drift(
      docker,
      {{std::string(kLabelManagedBy), std::string(kManagedByValue)}, {std::string(kLabelWorker), config.worker_id}},
      [&](const ContainerEvent&) { reconciler->TriggerAfterDrift(); }, [&] { reconciler->Trigger(); });

  // Kafka settings for TLS/SASL apply to the producer too.
  auto producer = nebula::kafka::MakeKafkaRecordProducer(
      nebula::kafka::ProducerSettings{config.kafka_brokers, std::chrono::seconds(15), config.kafka_settings});
  ReportPublisherOptions report_options;
  report_options.heartbeat = std::chrono::seconds(config.report_interval_seconds);
  report_options.poll = std::chrono::milliseconds(0);  // compared on Notify() and at the heartbeat
  ReportPublisher reports(
      *producer, config.worker_id,
      [&] {
        nebula::v1::WorkerReport report = BuildWorkerReport(status(), context);
        for (auto& rejection : gate.Rejections()) *report.add_rejected_records() = std::move(rejection);
        return report;
      },
      report_options);
  report_publisher = &reports;

  reconciler->Start();
  if (cron) cron->Start();
  feed.Start();
  drift.Start();
  reports.Start();

  int signal = 0;
  sigwait(&signals, &signal);
  spdlog::info("{}: shutting down; containers keep running", signal == SIGTERM ? "SIGTERM" : "SIGINT");
  drift.Stop();
  reports.Stop();
  if (cron) cron->Stop();
  reconciler->Stop();
  feed.Stop();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  spdlog::info("stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  nebula::agent::AgentConfig config;
  if (const int code = nebula::agent::ParseAgentConfig(argc, argv, config); code >= 0) return code;
  LimitFootprint(config);
  nebula::SetUpLogging("worker-agent", config.log_level, config.log_format);
  spdlog::info("{}", config.config_file_origin);
  try {
    return Run(config);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
