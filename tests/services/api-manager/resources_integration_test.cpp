// The app verbs, revisions, rollback, device groups, cron jobs, pruning and the audit trail against
// the real stack: success and error paths, what PostgreSQL holds afterwards (revisions, audit events),
// and the records on nebula.desired.
#include <catch2/catch.hpp>
#include <grpcpp/grpcpp.h>

#include <pqxx/pqxx>

#include <functional>
#include <tuple>

#include "api_test_support.h"

using namespace nebula::api_manager::it;
using nebula::v1::CronJob;
using nebula::v1::DeviceGroup;

namespace {

template <class Call>
grpc::Status Invoke(Call call) {
  auto context = Api::Context();
  return call(context.get());
}

// Generations, revisions, audit events and outbox inserts: a refused call must change none of them.
struct WriteCounters {
  int64_t app_generations = 0;
  int64_t object_generations = 0;
  int64_t revisions = 0;
  int64_t audit_events = 0;
  int64_t outbox_ids = 0;
  bool operator==(const WriteCounters&) const = default;
};

WriteCounters Counters() {
  pqxx::connection conn(Stack().database_url);
  pqxx::nontransaction tx(conn);
  auto one = [&](const std::string& sql) { return tx.exec(sql)[0][0].as<int64_t>(); };
  return {one("SELECT coalesce(sum(generation), 0)::bigint FROM apps"),
          one("SELECT coalesce(sum(generation), 0)::bigint FROM objects"), one("SELECT count(*) FROM app_revisions"),
          one("SELECT count(*) FROM audit_events"),
          one("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM outbox_id_seq")};
}

std::string Describe(const WriteCounters& c) {
  return std::to_string(c.app_generations) + "/" + std::to_string(c.object_generations) + "/" +
         std::to_string(c.revisions) + "/" + std::to_string(c.audit_events) + "/" + std::to_string(c.outbox_ids);
}

App Must(grpc::Status status, const App& app) {
  INFO(status.error_message());
  REQUIRE(status.ok());
  return app;
}

App Verb(Api& api, const std::string& verb, const std::string& name, int64_t expected = 0,
         grpc::Status* status_out = nullptr, std::optional<bool> rolling = std::nullopt) {
  App app;
  grpc::Status status;
  auto context = Api::Context();
  if (verb == "start") {
    nebula::v1::StartAppRequest r;
    r.set_name(name);
    r.set_expected_generation(expected);
    status = api.stub->StartApp(context.get(), r, &app);
  } else if (verb == "stop") {
    nebula::v1::StopAppRequest r;
    r.set_name(name);
    r.set_expected_generation(expected);
    status = api.stub->StopApp(context.get(), r, &app);
  } else if (verb == "restart") {
    nebula::v1::RestartAppRequest r;
    r.set_name(name);
    r.set_expected_generation(expected);
    if (rolling) r.set_rolling(*rolling);
    status = api.stub->RestartApp(context.get(), r, &app);
  } else {
    nebula::v1::PullAppRequest r;
    r.set_name(name);
    r.set_expected_generation(expected);
    status = api.stub->PullApp(context.get(), r, &app);
  }
  if (status_out) {
    *status_out = status;
    return app;
  }
  return Must(status, app);
}

nebula::v1::ListAppRevisionsResponse Revisions(Api& api, const std::string& name, int page_size = 0,
                                               const std::string& token = "", grpc::Status* status_out = nullptr) {
  nebula::v1::ListAppRevisionsRequest r;
  r.set_name(name);
  r.set_page_size(page_size);
  r.set_page_token(token);
  nebula::v1::ListAppRevisionsResponse response;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->ListAppRevisions(c, r, &response); });
  if (status_out) {
    *status_out = status;
  } else {
    INFO(status.error_message());
    REQUIRE(status.ok());
  }
  return response;
}

grpc::Status Rollback(Api& api, const std::string& name, int64_t generation, App* out = nullptr, int64_t expected = 0) {
  nebula::v1::RollbackAppRequest r;
  r.set_name(name);
  r.set_generation(generation);
  r.set_expected_generation(expected);
  App app;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->RollbackApp(c, r, &app); });
  if (out) *out = app;
  return status;
}

grpc::Status CreateGroup(Api& api, const std::string& name, std::vector<std::string> apps,
                         std::vector<std::string> jobs = {}, DeviceGroup* out = nullptr) {
  nebula::v1::CreateDeviceGroupRequest r;
  r.mutable_device_group()->set_name(name);
  for (auto& a : apps) r.mutable_device_group()->add_apps(a);
  for (auto& j : jobs) r.mutable_device_group()->add_cron_jobs(j);
  DeviceGroup group;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->CreateDeviceGroup(c, r, &group); });
  if (out) *out = group;
  return status;
}

grpc::Status GetGroup(Api& api, const std::string& name, DeviceGroup* out) {
  nebula::v1::GetDeviceGroupRequest r;
  r.set_name(name);
  return Invoke([&](grpc::ClientContext* c) { return api.stub->GetDeviceGroup(c, r, out); });
}

nebula::v1::CronJob Job(const std::string& name, const std::string& schedule = "*/5 * * * *") {
  CronJob job;
  job.set_name(name);
  job.set_schedule(schedule);
  job.mutable_spec()->set_image("nebtest/busybox:1");
  job.mutable_spec()->add_command("true");
  return job;
}

grpc::Status CreateJob(Api& api, const CronJob& job, CronJob* out = nullptr) {
  nebula::v1::CreateCronJobRequest r;
  *r.mutable_cron_job() = job;
  CronJob created;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->CreateCronJob(c, r, &created); });
  if (out) *out = created;
  return status;
}

std::vector<nebula::v1::AuditEvent> Audit(Api& api, const std::string& kind, const std::string& name) {
  nebula::v1::ListAuditEventsRequest r;
  r.set_object_kind(kind);
  r.set_object_name(name);
  nebula::v1::ListAuditEventsResponse response;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->ListAuditEvents(c, r, &response); });
  INFO(status.error_message());
  REQUIRE(status.ok());
  return {response.events().begin(), response.events().end()};
}

nebula::v1::DesiredState LastState(const std::string& key,
                                   const std::function<bool(const nebula::v1::DesiredState&)>& pred) {
  auto snapshot = AwaitLastRecordOfKey(key, [&](const TopicRecord& r) {
    if (!r.value) return false;
    nebula::v1::DesiredState state;
    return state.ParseFromString(*r.value) && pred(state);
  });
  return ParseState(snapshot.by_key.at(key).back());
}

}  // namespace

TEST_CASE("start stop restart and pull bump the generation and record who did what", "[integration]") {
  Api api;
  static int run = 0;  // Catch runs the case once per section
  const std::string name = UniqueName("verbs") + "-" + std::to_string(++run);
  REQUIRE(api.Create(name, Spec()).ok());

  App stopped = Verb(api, "stop", name, 1);
  CHECK(stopped.generation() == 2);
  CHECK(stopped.spec().has_running());
  CHECK_FALSE(stopped.spec().running());
  App started = Verb(api, "start", name);
  CHECK(started.generation() == 3);
  CHECK(started.spec().running());
  App again = Verb(api, "start", name);  // a no-op change is still a generation
  CHECK(again.generation() == 4);
  App restarted = Verb(api, "restart", name, 4, nullptr, true);
  CHECK(restarted.generation() == 5);
  CHECK(restarted.spec().restart_nonce() == 1);
  CHECK(restarted.spec().update_strategy().rolling());
  App restarted_again = Verb(api, "restart", name);
  CHECK(restarted_again.spec().restart_nonce() == 2);
  CHECK(restarted_again.spec().update_strategy().rolling());  // unset keeps the strategy
  App pulled = Verb(api, "pull", name);
  CHECK(pulled.generation() == 7);
  CHECK(pulled.spec().pull_nonce() == 1);
  CHECK(pulled.spec().restart_nonce() == 2);

  auto revisions = Revisions(api, name);
  REQUIRE(revisions.revisions_size() == 7);
  std::vector<std::string> actions;
  for (const auto& r : revisions.revisions()) actions.push_back(r.action());
  CHECK(actions == std::vector<std::string>{"PullApp", "RestartApp", "RestartApp", "StartApp", "StartApp", "StopApp",
                                            "CreateApp"});
  CHECK(revisions.revisions(0).generation() == 7);
  CHECK(revisions.revisions(0).actor() == "anonymous");
  CHECK(revisions.revisions(0).spec().pull_nonce() == 1);
  CHECK(revisions.revisions(0).time().seconds() > 0);

  auto events = Audit(api, "app", name);
  REQUIRE(events.size() == 7);
  CHECK(events[0].action() == "PullApp");
  CHECK(events[0].generation() == 7);
  CHECK(events[0].actor() == "anonymous");
  CHECK(events[6].action() == "CreateApp");
  CHECK(events[0].id() > events[6].id());

  auto state = LastState(nebula::AppKey(name), [](const auto& s) { return s.generation() == 7; });
  CHECK(state.app().spec().pull_nonce() == 1);

  SECTION("a stale expected_generation is ABORTED and writes nothing") {
    auto before = Counters();
    for (const char* verb : {"start", "stop", "restart", "pull"}) {
      grpc::Status status;
      Verb(api, verb, name, 3, &status);
      CHECK(status.error_code() == grpc::StatusCode::ABORTED);
    }
    CHECK(Counters() == before);
  }
  SECTION("verbs on a missing app are NOT_FOUND") {
    for (const char* verb : {"start", "stop", "restart", "pull"}) {
      grpc::Status status;
      Verb(api, verb, UniqueName("nope"), 0, &status);
      CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
    }
  }
}

TEST_CASE("ListAppRevisions pages newest first and keeps the history of a deleted app", "[integration]") {
  Api api;
  const std::string name = UniqueName("history");
  REQUIRE(api.Create(name, Spec()).ok());
  for (int i = 0; i < 4; ++i)
    REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:" + std::to_string(i)))).ok());
  int64_t deleted_at = 0;
  REQUIRE(api.Delete(name, 0, &deleted_at).ok());
  REQUIRE(deleted_at == 6);

  std::vector<int64_t> generations;
  std::string token;
  int pages = 0;
  do {
    auto page = Revisions(api, name, 2, token);
    CHECK(page.revisions_size() <= 2);
    for (const auto& r : page.revisions()) generations.push_back(r.generation());
    token = page.next_page_token();
    REQUIRE(++pages < 10);
  } while (!token.empty());
  CHECK(generations == std::vector<int64_t>{6, 5, 4, 3, 2, 1});
  auto newest = Revisions(api, name, 1);
  CHECK(newest.revisions(0).deleted());
  CHECK(newest.revisions(0).action() == "DeleteApp");
  CHECK_FALSE(newest.revisions(0).has_spec());

  grpc::Status status;
  Revisions(api, UniqueName("never"), 0, "", &status);
  CHECK(status.error_code() == grpc::StatusCode::NOT_FOUND);
  Revisions(api, name, -1, "", &status);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  Revisions(api, name, 0, "bogus", &status);
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_CASE("RollbackApp restores an earlier spec as a new generation", "[integration]") {
  Api api;
  const std::string name = UniqueName("rollback");
  AppSpec first = Spec("nebtest/busybox:1");
  (*first.mutable_env())["V"] = "1";
  REQUIRE(api.Create(name, first).ok());
  REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:2"))).ok());

  App rolled;
  REQUIRE(Rollback(api, name, 1, &rolled, 2).ok());
  CHECK(rolled.generation() == 3);
  CHECK(rolled.spec().SerializeAsString() == first.SerializeAsString());
  auto newest = Revisions(api, name, 1).revisions(0);
  CHECK(newest.action() == "RollbackApp");
  CHECK(newest.rolled_back_to() == 1);
  LastState(nebula::AppKey(name), [](const auto& s) { return s.generation() == 3 && s.app().spec().env().count("V"); });

  auto before = Counters();
  CHECK(Rollback(api, name, 99).error_code() == grpc::StatusCode::NOT_FOUND);
  CHECK(Rollback(api, name, 1, nullptr, 2).error_code() == grpc::StatusCode::ABORTED);
  CHECK(Rollback(api, name, 0).error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(Counters() == before);

  int64_t deleted_at = 0;
  REQUIRE(api.Delete(name, 0, &deleted_at).ok());
  CHECK(Rollback(api, name, 1).error_code() == grpc::StatusCode::NOT_FOUND);  // the app is gone
  REQUIRE(api.Create(name, Spec()).ok());
  auto refused = Rollback(api, name, deleted_at);
  CHECK(refused.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(refused.error_message(), Catch::Contains("deletion"));
  REQUIRE(Rollback(api, name, 2, &rolled).ok());
  CHECK(rolled.spec().image() == "nebtest/busybox:2");
}

TEST_CASE("device groups: create get list update prune delete and their records", "[integration]") {
  Api api;
  const std::string web = UniqueName("g-web");
  const std::string db = UniqueName("g-db");
  const std::string group_name = UniqueName("edge");
  REQUIRE(api.Create(web, Spec()).ok());
  REQUIRE(api.Create(db, Spec()).ok());

  DeviceGroup group;
  REQUIRE(CreateGroup(api, group_name, {web}, {}, &group).ok());
  CHECK(group.generation() == 1);
  CHECK(group.apps_size() == 1);
  DeviceGroup got;
  REQUIRE(GetGroup(api, group_name, &got).ok());
  CHECK(got.SerializeAsString() == group.SerializeAsString());
  CHECK(CreateGroup(api, group_name, {}).error_code() == grpc::StatusCode::ALREADY_EXISTS);

  nebula::v1::UpdateDeviceGroupRequest update;
  update.mutable_device_group()->set_name(group_name);
  update.mutable_device_group()->add_apps(web);
  update.mutable_device_group()->add_apps(db);
  update.mutable_update_mask()->add_paths("apps");
  update.set_expected_generation(1);
  DeviceGroup updated;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->UpdateDeviceGroup(c, update, &updated); });
  REQUIRE(status.ok());
  CHECK(updated.generation() == 2);
  CHECK(updated.apps_size() == 2);
  status = Invoke([&](grpc::ClientContext* c) { return api.stub->UpdateDeviceGroup(c, update, &updated); });
  CHECK(status.error_code() == grpc::StatusCode::ABORTED);

  nebula::v1::PruneDeviceGroupRequest prune;
  prune.set_name(group_name);
  DeviceGroup pruned;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->PruneDeviceGroup(c, prune, &pruned); }).ok());
  CHECK(pruned.generation() == 3);
  CHECK(pruned.prune_generation() == 1);
  CHECK(pruned.apps_size() == 2);

  auto state = LastState(nebula::DeviceGroupKey(group_name), [](const auto& s) { return s.generation() == 3; });
  CHECK(state.key() == nebula::DeviceGroupKey(group_name));
  CHECK(state.device_group().prune_generation() == 1);
  CHECK(state.device_group().apps_size() == 2);
  CHECK(state.device_group().name() == group_name);

  nebula::v1::ListDeviceGroupsRequest list;
  list.set_page_size(1000);
  nebula::v1::ListDeviceGroupsResponse listed;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->ListDeviceGroups(c, list, &listed); }).ok());
  bool found = false;
  for (const auto& g : listed.device_groups()) found = found || g.name() == group_name;
  CHECK(found);

  auto events = Audit(api, "device_group", group_name);
  REQUIRE(events.size() == 3);
  CHECK(events[0].action() == "PruneDeviceGroup");
  CHECK(events[2].action() == "CreateDeviceGroup");

  nebula::v1::DeleteDeviceGroupRequest del;
  del.set_name(group_name);
  del.set_expected_generation(3);
  nebula::v1::DeleteDeviceGroupResponse deleted;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->DeleteDeviceGroup(c, del, &deleted); }).ok());
  CHECK(deleted.generation() == 4);
  CHECK(GetGroup(api, group_name, &got).error_code() == grpc::StatusCode::NOT_FOUND);
  auto snapshot =
      AwaitLastRecordOfKey(nebula::DeviceGroupKey(group_name), [](const TopicRecord& r) { return !r.value; });
  const auto& records = snapshot.by_key.at(nebula::DeviceGroupKey(group_name));
  REQUIRE(records.size() >= 2);
  CHECK(HasGeneration(records[records.size() - 2], 4, true));
  // the deleted group no longer holds its apps back
  REQUIRE(api.Delete(web).ok());
  REQUIRE(CreateGroup(api, group_name, {db}, {}, &group).ok());
  CHECK(group.generation() == 5);
}

TEST_CASE("device group members must exist and each unknown one is named", "[integration]") {
  Api api;
  const std::string app = UniqueName("m-app");
  REQUIRE(api.Create(app, Spec()).ok());
  auto before = Counters();
  auto status = CreateGroup(api, UniqueName("m-group"), {app, UniqueName("m-missing")}, {UniqueName("m-nojob")});
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolationFields(status) == std::vector<std::string>{"device_group.apps[1]", "device_group.cron_jobs[0]"});
  CHECK(Counters() == before);
}

TEST_CASE("deleting an app or cron job a group lists needs force and then the group drops it", "[integration]") {
  Api api;
  const std::string app = UniqueName("f-app");
  const std::string job = UniqueName("f-job");
  const std::string group_a = UniqueName("f-group-a");
  const std::string group_b = UniqueName("f-group-b");
  REQUIRE(api.Create(app, Spec()).ok());
  REQUIRE(CreateJob(api, Job(job)).ok());
  REQUIRE(CreateGroup(api, group_a, {app}, {job}).ok());
  REQUIRE(CreateGroup(api, group_b, {app}).ok());

  auto before = Counters();
  auto refused = api.Delete(app);
  CHECK(refused.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(refused.error_message(), Catch::Contains(group_a) && Catch::Contains(group_b));
  nebula::v1::DeleteCronJobRequest del_job;
  del_job.set_name(job);
  nebula::v1::DeleteCronJobResponse job_deleted;
  auto refused_job = Invoke([&](grpc::ClientContext* c) { return api.stub->DeleteCronJob(c, del_job, &job_deleted); });
  CHECK(refused_job.error_code() == grpc::StatusCode::FAILED_PRECONDITION);
  CHECK_THAT(refused_job.error_message(), Catch::Contains(group_a));
  CHECK(Counters() == before);

  nebula::v1::DeleteAppRequest del_app;
  del_app.set_name(app);
  del_app.set_force(true);
  nebula::v1::DeleteAppResponse app_deleted;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->DeleteApp(c, del_app, &app_deleted); }).ok());
  DeviceGroup a, b;
  REQUIRE(GetGroup(api, group_a, &a).ok());
  REQUIRE(GetGroup(api, group_b, &b).ok());
  CHECK(a.apps_size() == 0);
  CHECK(a.cron_jobs_size() == 1);
  CHECK(a.generation() == 2);
  CHECK(b.generation() == 2);
  auto events = Audit(api, "device_group", group_b);
  REQUIRE(events.size() == 2);
  CHECK(events[0].action() == "DeleteApp");

  del_job.set_force(true);
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->DeleteCronJob(c, del_job, &job_deleted); }).ok());
  REQUIRE(GetGroup(api, group_a, &a).ok());
  CHECK(a.cron_jobs_size() == 0);
  CHECK(a.generation() == 3);
  auto state = LastState(nebula::DeviceGroupKey(group_a), [](const auto& s) { return s.generation() == 3; });
  CHECK(state.device_group().apps_size() == 0);
  CHECK(state.device_group().cron_jobs_size() == 0);
  LastState(nebula::DeviceGroupKey(group_b), [](const auto& s) { return s.generation() == 2; });
}

TEST_CASE("cron jobs: create get list update delete and their records", "[integration]") {
  Api api;
  const std::string name = UniqueName("backup");
  CronJob created;
  REQUIRE(CreateJob(api, Job(name, "0 3 * * MON-FRI"), &created).ok());
  CHECK(created.generation() == 1);
  CHECK(created.schedule() == "0 3 * * MON-FRI");
  CHECK_FALSE(created.has_running());
  CHECK(CreateJob(api, Job(name)).error_code() == grpc::StatusCode::ALREADY_EXISTS);

  nebula::v1::GetCronJobRequest get;
  get.set_name(name);
  CronJob got;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->GetCronJob(c, get, &got); }).ok());
  CHECK(got.SerializeAsString() == created.SerializeAsString());

  nebula::v1::UpdateCronJobRequest update;
  update.mutable_cron_job()->set_name(name);
  update.mutable_cron_job()->set_schedule("@hourly");
  update.mutable_cron_job()->set_running(false);
  update.mutable_update_mask()->add_paths("schedule");
  update.mutable_update_mask()->add_paths("running");
  CronJob updated;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->UpdateCronJob(c, update, &updated); }).ok());
  CHECK(updated.generation() == 2);
  CHECK(updated.schedule() == "@hourly");
  CHECK_FALSE(updated.running());
  CHECK(updated.spec().image() == "nebtest/busybox:1");

  auto state = LastState(nebula::CronJobKey(name), [](const auto& s) { return s.generation() == 2; });
  CHECK(state.cron_job().schedule() == "@hourly");
  CHECK(state.cron_job().name() == name);

  nebula::v1::ListCronJobsRequest list;
  list.set_page_size(1);
  std::set<std::string> names;
  std::string token;
  int pages = 0;
  do {
    list.set_page_token(token);
    nebula::v1::ListCronJobsResponse page;
    REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->ListCronJobs(c, list, &page); }).ok());
    for (const auto& j : page.cron_jobs()) CHECK(names.insert(j.name()).second);
    token = page.next_page_token();
    REQUIRE(++pages < 1000);
  } while (!token.empty());
  CHECK(names.count(name) == 1);

  nebula::v1::DeleteCronJobRequest del;
  del.set_name(name);
  del.set_expected_generation(1);
  nebula::v1::DeleteCronJobResponse deleted;
  CHECK(Invoke([&](grpc::ClientContext* c) { return api.stub->DeleteCronJob(c, del, &deleted); }).error_code() ==
        grpc::StatusCode::ABORTED);
  del.set_expected_generation(2);
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->DeleteCronJob(c, del, &deleted); }).ok());
  CHECK(deleted.generation() == 3);
  auto snapshot = AwaitLastRecordOfKey(nebula::CronJobKey(name), [](const TopicRecord& r) { return !r.value; });
  const auto& records = snapshot.by_key.at(nebula::CronJobKey(name));
  CHECK(HasGeneration(records[records.size() - 2], 3, true));
  auto events = Audit(api, "cron_job", name);
  REQUIRE(events.size() == 3);
  CHECK(events[0].action() == "DeleteCronJob");
}

TEST_CASE("PruneAll bumps the global prune generation and publishes key global", "[integration]") {
  Api api;
  nebula::v1::PruneAllRequest request;
  nebula::v1::GlobalSettings first, second;
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->PruneAll(c, request, &first); }).ok());
  REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->PruneAll(c, request, &second); }).ok());
  CHECK(second.prune_generation() == first.prune_generation() + 1);
  const int64_t expected = second.prune_generation();
  auto state = LastState(std::string(nebula::kGlobalKey),
                         [&](const auto& s) { return s.global().prune_generation() == expected; });
  CHECK(state.key() == "global");
  CHECK(state.generation() == expected);
  auto events = Audit(api, "global", "global");
  REQUIRE(events.size() >= 2);
  CHECK(events[0].action() == "PruneAll");
}

TEST_CASE("ListAuditEvents filters by kind and name and pages newest first", "[integration]") {
  Api api;
  const std::string name = UniqueName("audited");
  REQUIRE(api.Create(name, Spec()).ok());
  for (int i = 0; i < 4; ++i)
    REQUIRE(api.Update(UpdateRequest(name, Spec("nebtest/busybox:" + std::to_string(i)))).ok());
  nebula::v1::ListAuditEventsRequest request;
  request.set_object_kind("app");
  request.set_object_name(name);
  request.set_page_size(2);
  std::vector<int64_t> generations;
  int64_t last_id = INT64_MAX;
  int pages = 0;
  do {
    nebula::v1::ListAuditEventsResponse page;
    REQUIRE(Invoke([&](grpc::ClientContext* c) { return api.stub->ListAuditEvents(c, request, &page); }).ok());
    for (const auto& e : page.events()) {
      CHECK(e.object_name() == name);
      CHECK(e.id() < last_id);
      last_id = e.id();
      generations.push_back(e.generation());
    }
    request.set_page_token(page.next_page_token());
    REQUIRE(++pages < 10);
  } while (!request.page_token().empty());
  CHECK(generations == std::vector<int64_t>{5, 4, 3, 2, 1});

  nebula::v1::ListAuditEventsRequest bad;
  bad.set_object_kind("planet");
  nebula::v1::ListAuditEventsResponse ignored;
  auto status = Invoke([&](grpc::ClientContext* c) { return api.stub->ListAuditEvents(c, bad, &ignored); });
  CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
  CHECK(ViolationFields(status) == std::vector<std::string>{"object_kind"});
}

TEST_CASE("malformed requests to every writing RPC change nothing", "[integration]") {
  Api api;
  const std::string app = UniqueName("mal-app");
  const std::string group = UniqueName("mal-group");
  const std::string job = UniqueName("mal-job");
  REQUIRE(api.Create(app, Spec()).ok());
  REQUIRE(CreateGroup(api, group, {app}).ok());
  REQUIRE(CreateJob(api, Job(job)).ok());
  auto* stub = api.stub.get();
  using Call = std::function<grpc::Status(grpc::ClientContext*)>;
  std::vector<std::pair<std::string, Call>> calls = {
      {"CreateApp",
       [&](auto* c) {
         nebula::v1::CreateAppRequest r;
         r.mutable_app()->set_name("BAD NAME");
         App o;
         return stub->CreateApp(c, r, &o);
       }},
      {"UpdateApp",
       [&](auto* c) {
         auto r = UpdateRequest(app, Spec("::bad::"));
         App o;
         return stub->UpdateApp(c, r, &o);
       }},
      {"DeleteApp",
       [&](auto* c) {
         nebula::v1::DeleteAppRequest r;
         r.set_name(app);
         r.set_expected_generation(-4);
         nebula::v1::DeleteAppResponse o;
         return stub->DeleteApp(c, r, &o);
       }},
      {"StartApp",
       [&](auto* c) {
         nebula::v1::StartAppRequest r;
         r.set_name("-x");
         App o;
         return stub->StartApp(c, r, &o);
       }},
      {"StopApp",
       [&](auto* c) {
         nebula::v1::StopAppRequest r;
         r.set_name(app);
         r.set_expected_generation(-1);
         App o;
         return stub->StopApp(c, r, &o);
       }},
      {"RestartApp",
       [&](auto* c) {
         nebula::v1::RestartAppRequest r;
         r.set_name(std::string(64, 'a'));
         App o;
         return stub->RestartApp(c, r, &o);
       }},
      {"PullApp",
       [&](auto* c) {
         nebula::v1::PullAppRequest r;
         App o;
         return stub->PullApp(c, r, &o);
       }},
      {"RollbackApp",
       [&](auto* c) {
         nebula::v1::RollbackAppRequest r;
         r.set_name(app);
         r.set_generation(-1);
         App o;
         return stub->RollbackApp(c, r, &o);
       }},
      {"CreateDeviceGroup",
       [&](auto* c) {
         nebula::v1::CreateDeviceGroupRequest r;
         r.mutable_device_group()->set_name(UniqueName("mal-g2"));
         r.mutable_device_group()->add_apps("Not_A_Name");
         DeviceGroup o;
         return stub->CreateDeviceGroup(c, r, &o);
       }},
      {"UpdateDeviceGroup",
       [&](auto* c) {
         nebula::v1::UpdateDeviceGroupRequest r;
         r.mutable_device_group()->set_name(group);
         r.mutable_update_mask()->add_paths("prune_generation");
         DeviceGroup o;
         return stub->UpdateDeviceGroup(c, r, &o);
       }},
      {"UpdateDeviceGroup unknown member",
       [&](auto* c) {
         nebula::v1::UpdateDeviceGroupRequest r;
         r.mutable_device_group()->set_name(group);
         r.mutable_device_group()->add_apps(UniqueName("ghost"));
         DeviceGroup o;
         return stub->UpdateDeviceGroup(c, r, &o);
       }},
      {"DeleteDeviceGroup",
       [&](auto* c) {
         nebula::v1::DeleteDeviceGroupRequest r;
         r.set_name("");
         nebula::v1::DeleteDeviceGroupResponse o;
         return stub->DeleteDeviceGroup(c, r, &o);
       }},
      {"PruneDeviceGroup",
       [&](auto* c) {
         nebula::v1::PruneDeviceGroupRequest r;
         r.set_name("UPPER");
         DeviceGroup o;
         return stub->PruneDeviceGroup(c, r, &o);
       }},
      {"CreateCronJob",
       [&](auto* c) {
         nebula::v1::CreateCronJobRequest r;
         *r.mutable_cron_job() = Job(UniqueName("mal-j2"), "61 * * * *");
         CronJob o;
         return stub->CreateCronJob(c, r, &o);
       }},
      {"UpdateCronJob",
       [&](auto* c) {
         nebula::v1::UpdateCronJobRequest r;
         r.mutable_cron_job()->set_name(job);
         r.mutable_cron_job()->set_schedule("* * *");
         r.mutable_update_mask()->add_paths("schedule");
         CronJob o;
         return stub->UpdateCronJob(c, r, &o);
       }},
      {"DeleteCronJob",
       [&](auto* c) {
         nebula::v1::DeleteCronJobRequest r;
         r.set_name(job);
         r.set_expected_generation(-2);
         nebula::v1::DeleteCronJobResponse o;
         return stub->DeleteCronJob(c, r, &o);
       }},
  };
  for (auto& [rpc, call] : calls) {
    auto before = Counters();
    auto context = Api::Context();
    auto status = call(context.get());
    INFO(rpc << ": " << status.error_message());
    CHECK(status.error_code() == grpc::StatusCode::INVALID_ARGUMENT);
    CHECK_FALSE(ViolationFields(status).empty());
    auto after = Counters();
    INFO(Describe(before) << " -> " << Describe(after));
    CHECK(after == before);
  }
}
