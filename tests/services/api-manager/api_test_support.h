// Shared helpers of the api-manager integration tests: the stack, a client, PostgreSQL counts and a
// reader of nebula.desired that reads the topic the way agents do.
#pragma once

#include <catch2/catch.hpp>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>
#include <pqxx/pqxx>
#include <algorithm>
#include <future>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include "common/desired_keys.h"
#include "common/signing/record_signature.h"
#include "common/grpc_status.h"
#include "nebula/v1/api_manager.grpc.pb.h"
#include "nebula/v1/desired_state.pb.h"
#include "common/partitioner.h"
#include "stack_fixture.h"

namespace nebula::api_manager::it {

using nebula::v1::App;
using nebula::v1::AppSpec;
using namespace std::chrono_literals;

// pg_names.h: the advisory lock the one active outbox relay holds (per database).
inline constexpr int64_t kRelayLockKey = 0x6e6562756c610002;
inline const std::string kRelayLockHolders =
    "FROM pg_locks WHERE locktype = 'advisory' AND granted "
    "AND database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND ((classid::bigint << 32) | objid::bigint) = " +
    std::to_string(kRelayLockKey);

inline const nebula::testing::StackInfo& Stack() { return nebula::testing::SharedStack(); }

// Names unique per test run, so reruns against a reused stack never collide.
inline std::string UniqueName(const std::string& prefix) {
  static const std::string run = [] {
    std::random_device rd;
    char buf[8];
    std::snprintf(buf, sizeof buf, "%06x", rd() & 0xffffff);
    return std::string(buf);
  }();
  return prefix + "-" + run;
}

inline std::unique_ptr<nebula::v1::ApiManager::Stub> Connect(const std::string& endpoint) {
  return nebula::v1::ApiManager::NewStub(grpc::CreateChannel(endpoint, grpc::InsecureChannelCredentials()));
}

struct Api {
  std::unique_ptr<nebula::v1::ApiManager::Stub> stub = Connect(Stack().endpoint);

  static std::unique_ptr<grpc::ClientContext> Context() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + 30s);
    return context;
  }
  grpc::Status Create(const std::string& name, const AppSpec& spec, App* out = nullptr) {
    nebula::v1::CreateAppRequest request;
    request.mutable_app()->set_name(name);
    *request.mutable_app()->mutable_spec() = spec;
    App response;
    auto status = stub->CreateApp(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Get(const std::string& name, App* out = nullptr) {
    nebula::v1::GetAppRequest request;
    request.set_name(name);
    App response;
    auto status = stub->GetApp(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Update(const nebula::v1::UpdateAppRequest& request, App* out = nullptr) {
    App response;
    auto status = stub->UpdateApp(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
  grpc::Status Delete(const std::string& name, int64_t expected = 0, int64_t* generation = nullptr) {
    nebula::v1::DeleteAppRequest request;
    request.set_name(name);
    request.set_expected_generation(expected);
    nebula::v1::DeleteAppResponse response;
    auto status = stub->DeleteApp(Context().get(), request, &response);
    if (generation) *generation = response.generation();
    return status;
  }
  grpc::Status List(int32_t page_size, const std::string& token, nebula::v1::ListAppsResponse* out) {
    nebula::v1::ListAppsRequest request;
    request.set_page_size(page_size);
    request.set_page_token(token);
    return stub->ListApps(Context().get(), request, out);
  }
};

inline AppSpec Spec(const std::string& image = "nebtest/busybox:1") {
  AppSpec spec;
  spec.set_image(image);
  return spec;
}

inline nebula::v1::UpdateAppRequest UpdateRequest(const std::string& name, const AppSpec& spec,
                                                  std::initializer_list<const char*> mask = {}, int64_t expected = 0) {
  nebula::v1::UpdateAppRequest request;
  request.mutable_app()->set_name(name);
  *request.mutable_app()->mutable_spec() = spec;
  for (const char* path : mask) request.mutable_update_mask()->add_paths(path);
  request.set_expected_generation(expected);
  return request;
}

inline std::vector<std::string> ViolationFields(const grpc::Status& status) {
  std::vector<std::string> fields;
  try {
    nebula::ThrowIfError(status);
  } catch (const nebula::Error& e) {
    for (const auto& v : e.violations()) fields.push_back(v.field);
  }
  return fields;
}

// --- PostgreSQL -----------------------------------------------------------------------------

inline int64_t CountRows(const std::string& sql, const std::string& param,
                         const std::string& url = Stack().database_url) {
  pqxx::connection conn(url);
  pqxx::nontransaction tx(conn);
  return tx.exec_params(sql, param)[0][0].as<int64_t>();
}

inline int64_t Revisions(const std::string& name) {
  return CountRows("SELECT count(*) FROM app_revisions WHERE name = $1", name);
}

// The same server, another database: URI (postgresql://host/db) or conninfo (host=... dbname=...).
inline std::string WithDatabase(const std::string& url, const std::string& database) {
  size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url + " dbname=" + database;
  size_t path = url.find('/', scheme + 3);
  size_t query = url.find('?', scheme + 3);
  std::string base = url.substr(0, std::min(path, query));
  return base + "/" + database + (query == std::string::npos ? "" : url.substr(query));
}

// --- Kafka ----------------------------------------------------------------------------------

struct TopicRecord {
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> value;  // nullopt = tombstone
};

struct TopicSnapshot {
  int32_t partitions = 0;
  std::map<std::string, std::vector<TopicRecord>> by_key;  // in offset order
};

// The stack's api-manager signs every record (docs/architecture.md "Trust"): each one must verify with
// the stack's public key, as a verifying agent would check it; what the tests read is the DesiredState.
inline std::string VerifiedPayload(const std::string& key, const std::string& value) {
  static const std::vector<nebula::signing::PublicKey> trusted = nebula::signing::LoadPublicKeys(Stack().trusted_keys);
  nebula::signing::OpenedRecord opened = nebula::signing::OpenRecord(trusted, key, value);
  INFO("record of " << key << ": " << opened.refusal);
  REQUIRE(opened.payload);
  return *opened.payload;
}

// Reads nebula.desired from the start to the end of every partition, with a plain consumer (manual
// assignment, no group commits), the way agents read it.
inline TopicSnapshot ReadDesiredTopic() {
  std::string errstr;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", Stack().kafka_brokers, errstr);
  conf->set("group.id", "api-manager-integration-test", errstr);
  conf->set("enable.auto.commit", "false", errstr);
  conf->set("enable.partition.eof", "true", errstr);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), errstr));
  REQUIRE(consumer);
  const std::string topic(nebula::kDesiredTopic);
  std::unique_ptr<RdKafka::Topic> handle(RdKafka::Topic::create(consumer.get(), topic, nullptr, errstr));
  RdKafka::Metadata* raw = nullptr;
  REQUIRE(consumer->metadata(false, handle.get(), &raw, 10000) == RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  REQUIRE(metadata->topics()->size() == 1);
  TopicSnapshot snapshot;
  snapshot.partitions = static_cast<int32_t>(metadata->topics()->at(0)->partitions()->size());
  REQUIRE(snapshot.partitions > 0);

  std::vector<RdKafka::TopicPartition*> assignment;
  for (int32_t p = 0; p < snapshot.partitions; ++p)
    assignment.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  REQUIRE(consumer->assign(assignment) == RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(assignment);

  std::set<int32_t> at_end;
  auto deadline = std::chrono::steady_clock::now() + 30s;
  while (int32_t(at_end.size()) < snapshot.partitions && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(500));
    if (m->err() == RdKafka::ERR__PARTITION_EOF) {
      at_end.insert(m->partition());
    } else if (m->err() == RdKafka::ERR_NO_ERROR) {
      at_end.erase(m->partition());
      const std::string key = m->key() ? *m->key() : "";
      TopicRecord record{m->partition(), m->offset(), std::nullopt};
      if (m->payload())
        record.value = VerifiedPayload(key, std::string(static_cast<const char*>(m->payload()), m->len()));
      snapshot.by_key[key].push_back(std::move(record));
    }
  }
  consumer->close();
  REQUIRE(int32_t(at_end.size()) == snapshot.partitions);
  return snapshot;
}

inline nebula::v1::DesiredState ParseState(const TopicRecord& record) {
  nebula::v1::DesiredState state;
  REQUIRE(record.value.has_value());
  REQUIRE(state.ParseFromString(*record.value));
  return state;
}

// Waits until the last record for the app's key satisfies pred; returns the final snapshot.
inline TopicSnapshot AwaitLastRecordOfKey(const std::string& key, const std::function<bool(const TopicRecord&)>& pred) {
  TopicSnapshot snapshot;
  bool ok = nebula::testing::Eventually(
      [&] {
        snapshot = ReadDesiredTopic();
        auto it = snapshot.by_key.find(key);
        return it != snapshot.by_key.end() && pred(it->second.back());
      },
      60s, 500ms);
  INFO("key " << key << ": " << snapshot.by_key[key].size() << " records");
  REQUIRE(ok);
  return snapshot;
}

inline TopicSnapshot AwaitLastRecord(const std::string& app, const std::function<bool(const TopicRecord&)>& pred) {
  return AwaitLastRecordOfKey(nebula::AppKey(app), pred);
}

inline bool HasGeneration(const TopicRecord& r, int64_t generation, bool deleted = false) {
  if (!r.value) return false;
  nebula::v1::DesiredState state;
  return state.ParseFromString(*r.value) && state.generation() == generation && state.deleted() == deleted;
}

}  // namespace nebula::api_manager::it
