// nebula-api-manager: start-up order matters. The gRPC port opens only after the schema is migrated
// and the topics exist, because the dev stack (and any load balancer) treats an open port as ready.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <functional>
#include <thread>

#include "api-manager/access/open_authenticator.h"
#include "api-manager/access/bootstrap_admin.h"
#include "api-manager/access/required_authenticator.h"
#include "api-manager/grpc/api_service.h"
#include "common/desired_keys.h"
#include "common/error.h"
#include "api-manager/flags.h"
#include "api-manager/grpc/identity_service.h"
#include "api-manager/reports/kafka_report_source.h"
#include "api-manager/metrics/metered_adapters.h"
#include "api-manager/metrics/metrics_http.h"
#include "api-manager/metrics/metrics_interceptor.h"
#include "api-manager/metrics/metrics_registry.h"
#include "common/logging.h"
#include "common/service_flags.h"
#include "api-manager/pg/migrations.h"
#include "api-manager/relay/outbox_relay.h"
#include "api-manager/store/cached_app_store.h"
#include "api-manager/pg/pg_app_change_feed.h"
#include "api-manager/pg/pg_app_store.h"
#include "api-manager/pg/pg_identity_store.h"
#include "api-manager/pg/pg_outbox.h"
#include "api-manager/pg/pg_outbox_backlog.h"
#include "api-manager/pg/pg_generation_store.h"
#include "common/signing/record_signature.h"
#include "api-manager/pg/pg_pool.h"
#include "api-manager/pg/pg_resource_store.h"
#include "api-manager/pg/pg_worker_store.h"
#include "api-manager/reports/report_consumer.h"
#include "api-manager/server_credentials.h"
#include "common/kafka/record_producer.h"
#include "api-manager/shutdown_signal.h"
#include "common/kafka/topic_admin.h"

namespace nebula::api_manager {
namespace {

constexpr const char* kServiceName = "nebula.v1.ApiManager";
constexpr auto kShutdownGrace = std::chrono::seconds(10);

// Runs step until it succeeds. Unreachable dependencies (kUnavailable, or errors we do not know)
// are retried with backoff; errors retrying cannot fix are rethrown. False if asked to shut down.
bool RetryUntilDone(const std::string& what, ShutdownSignal& shutdown, const std::function<void()>& step) {
  std::chrono::milliseconds backoff(500);
  for (int attempt = 1; !shutdown.Requested(); ++attempt) {
    try {
      step();
      return true;
    } catch (const Error& e) {
      if (e.code() != ErrorCode::kUnavailable) throw;
      spdlog::warn("{} (attempt {}): {}; retrying in {} ms", what, attempt, e.what(), backoff.count());
    } catch (const std::exception& e) {
      spdlog::warn("{} (attempt {}): {}; retrying in {} ms", what, attempt, e.what(), backoff.count());
    }
    if (shutdown.WaitFor(backoff)) break;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
  return false;
}

void EnsureTopics(const ApiManagerFlags& flags, const std::map<std::string, std::string>& properties) {
  kafka::TopicAdmin admin(flags.kafka_brokers, properties, std::chrono::seconds(5));
  for (std::string_view topic : {kDesiredTopic, kReportsTopic}) {
    kafka::TopicInfo info = admin.EnsureTopic(std::string(topic), flags.desired_partitions, true);
    spdlog::info("kafka topic {}: {} ({} partitions, cleanup.policy={})", topic, info.created ? "created" : "exists",
                 info.partitions, info.cleanup_policy);
    if (info.cleanup_policy.find("compact") == std::string::npos)
      spdlog::warn(
          "kafka topic {} is not compacted (cleanup.policy={}); readers replay its whole history. Set "
          "cleanup.policy=compact on it",
          topic, info.cleanup_policy.empty() ? "unknown" : info.cleanup_policy);
    if (!info.created && info.partitions != flags.desired_partitions)
      spdlog::info("kafka topic {} existed with {} partitions (--desired-partitions {} applies only to new topics)",
                   topic, info.partitions, flags.desired_partitions);
  }
}

// --auth none: ACLs off (every caller is the admin "anonymous"). --auth required: bearer tokens and
// basic auth checked against the identity tables, cached for 5 s (so a revocation takes up to 5 s).
std::unique_ptr<Authenticator> MakeAuthenticator(const ApiManagerFlags& flags, CredentialStore& identities) {
  if (flags.auth == "required") return MakeRequiredAuthenticator(identities);
  return std::make_unique<OpenAuthenticator>();
}

int Serve(const ApiManagerFlags& flags) {
  CheckBootstrapFlags(flags.bootstrap_admin_token, flags.bootstrap_admin_password);  // before any I/O
  std::optional<signing::SigningKey> signing_key;
  if (!flags.signing_key_file.empty()) signing_key = signing::LoadSigningKey(flags.signing_key_file);
  ShutdownSignal shutdown;  // first: every thread started below inherits the blocked signals
  auto kafka_properties = ParseKafkaProperties(flags.kafka_properties);

  if (!RetryUntilDone("applying database migrations", shutdown, [&] { ApplyMigrations(flags.database_url); })) return 0;
  if (!RetryUntilDone("creating kafka topics", shutdown, [&] { EnsureTopics(flags, kafka_properties); })) return 0;

  PgPool pool({.url = flags.database_url, .on_connect = [](pqxx::connection& conn) {
                 PgAppStore::PrepareStatements(conn);
                 PgResourceStore::PrepareStatements(conn);
                 PgWorkerStore::PrepareStatements(conn);
               }});
  PgAppStore pg_store(pool);
  PgAppChangeFeed app_changes(flags.database_url);
  CachedAppStore cached_store(pg_store, app_changes,
                              {.max_staleness = std::chrono::milliseconds(flags.read_cache_staleness_ms)});
  AppStore& store = flags.read_cache_staleness_ms > 0 ? static_cast<AppStore&>(cached_store) : pg_store;
  std::jthread app_cache_thread;
  if (flags.read_cache_staleness_ms > 0)
    app_cache_thread = std::jthread([&](std::stop_token stop) { cached_store.Run(stop); });
  PgResourceStore resources(pool);
  PgWorkerStore workers(pool);
  PgIdentityStore identities(pool);
  if (!RetryUntilDone("ensuring the bootstrap admin", shutdown, [&] {
        EnsureBootstrapAdmin(identities, flags.bootstrap_admin_token, flags.bootstrap_admin_password);
      }))
    return 0;
  std::unique_ptr<Authenticator> authenticator = MakeAuthenticator(flags, identities);
  IdentityService identity_service(identities, *authenticator);
  ApiService service(store, resources, workers, *authenticator,
                     {.lost_after = std::chrono::seconds(flags.worker_lost_seconds)});

  MetricsRegistry metrics;
  auto kafka_report_source = MakeKafkaReportSource({.brokers = flags.kafka_brokers,
                                                    .topic = std::string(kReportsTopic),
                                                    .group = flags.reports_group,
                                                    .properties = kafka_properties});
  MeteredReportSource report_source(*kafka_report_source, metrics);
  ReportConsumer report_consumer(report_source, workers, [] {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  });
  std::jthread reports_thread([&](std::stop_token stop) { report_consumer.Run(stop); });

  auto producer = kafka::MakeKafkaRecordProducer({.brokers = flags.kafka_brokers, .properties = kafka_properties});
  PgOutbox pg_outbox(flags.database_url);
  MeteredOutbox outbox(pg_outbox, metrics);
  // Generations never go backwards on the topic (docs/architecture.md "Restoring the database").
  PgGenerationStore generation_store(pool);
  auto published_generations = MakeKafkaPublishedGenerations(
      {.brokers = flags.kafka_brokers, .topic = std::string(kDesiredTopic), .properties = kafka_properties});
  GenerationFence fence(*published_generations, generation_store);
  RelaySettings relay_settings{.topic = std::string(kDesiredTopic), .signing_key = signing_key};
  if (signing_key) {
    spdlog::info("signing every nebula.desired record with key {} (from {})", relay_settings.signing_key->id,
                 flags.signing_key_file);
  } else {
    spdlog::warn(
        "nebula.desired records are not signed (no --signing-key-file): agents that trust keys refuse them, "
        "and anyone who can write the topic can run containers on agents that do not");
  }
  OutboxRelay relay(outbox, *producer, relay_settings, &fence);
  std::jthread relay_thread([&](std::stop_token stop) { relay.Run(stop); });

  // Before the gRPC port: a bad --metrics-listen stops the start before the port says "ready".
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  if (!flags.metrics_listen.empty()) {
    metrics_endpoint = std::make_unique<MetricsEndpoint>(flags.metrics_listen, [&] {
      MetricsSnapshot snapshot = metrics.Snapshot();
      try {
        snapshot.outbox_backlog = CountOutboxRows(pool);
      } catch (const std::exception& e) {
        spdlog::warn("/metrics: cannot count the outbox rows: {}", e.what());
      }
      return RenderPrometheus(snapshot);
    });
    spdlog::info("serving Prometheus metrics on http://{}/metrics", flags.metrics_listen);
  }
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // Without this a second process could bind the same port and silently share the traffic.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  int port = 0;
  builder.AddListeningPort(
      flags.listen,
      MakeServerCredentials({.cert = flags.tls_cert, .key = flags.tls_key, .client_ca = flags.tls_client_ca}), &port);
  builder.RegisterService(&service);
  builder.RegisterService(&identity_service);
  // Only when something reads the counts: an interceptor costs every call an allocation, a lock and
  // gRPC's interception hooks (measured: docs/benchmarks.md).
  if (metrics_endpoint) {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<MetricsInterceptorFactory>(metrics));
    builder.experimental().SetInterceptorCreators(std::move(interceptors));
  }
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || port == 0) {
    spdlog::critical("cannot listen on {} (address in use, or not host:port?)", flags.listen);
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus(kServiceName, true);
  server->GetHealthCheckService()->SetServingStatus("nebula.v1.Identity", true);
  spdlog::info("serving {} and nebula.v1.Identity on {} ({}, --auth {})", kServiceName, flags.listen,
               flags.tls_cert.empty()        ? "plaintext"
               : flags.tls_client_ca.empty() ? "TLS"
                                             : "mutual TLS",
               flags.auth);

  shutdown.Wait();
  server->GetHealthCheckService()->SetServingStatus(false);
  // In-flight calls get the grace period to finish, then they are cancelled.
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  metrics_endpoint.reset();
  spdlog::info("gRPC server stopped; stopping the outbox relay");
  relay_thread.request_stop();
  relay_thread.join();
  reports_thread.request_stop();
  reports_thread.join();
  if (app_cache_thread.joinable()) {
    app_cache_thread.request_stop();
    app_cache_thread.join();
  }
  spdlog::info("stopped");
  return 0;
}

}  // namespace
}  // namespace nebula::api_manager

int main(int argc, char** argv) {
  nebula::api_manager::ApiManagerFlags flags;
  CLI::App app{
      "nebula-api-manager: serves the nebula.v1.ApiManager gRPC API, stores apps in PostgreSQL and relays "
      "every change to the Kafka topic nebula.desired"};
  nebula::api_manager::AddFlags(app, flags);
  CLI11_PARSE(app, argc, argv);

  nebula::SetUpLogging("nebula-api-manager", flags.log_level, flags.log_format);
  spdlog::info("{}", nebula::DescribeConfigFile(app));
  if (std::getenv("NEBULA_CONFIG") != nullptr)
    spdlog::info("NEBULA_CONFIG is set and ignored: it names the nebula CLI's file; this reads {}",
                 nebula::api_manager::kConfigFileVariable);
  try {
    return nebula::api_manager::Serve(flags);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
}
