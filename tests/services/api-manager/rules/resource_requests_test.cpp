// The pure rules of device groups, cron jobs and the global settings: request checks, partial
// updates, pruning, membership bodies, and the nebula.desired records they produce.
#include "api-manager/rules/resource_requests.h"

#include <catch2/catch.hpp>

#include "api-manager/rules/desired_records.h"
#include "nebula/v1/desired_state.pb.h"

namespace am = nebula::api_manager;
using nebula::ErrorCode;

namespace {

std::vector<std::string> Fields(const std::function<void()>& f) {
  try {
    f();
  } catch (const nebula::Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    std::vector<std::string> fields;
    for (const auto& v : e.violations()) fields.push_back(v.field);
    return fields;
  }
  return {};
}

nebula::v1::DeviceGroup Group(std::vector<std::string> apps, std::vector<std::string> jobs = {}) {
  nebula::v1::DeviceGroup group;
  group.set_name("edge");
  for (auto& a : apps) group.add_apps(a);
  for (auto& j : jobs) group.add_cron_jobs(j);
  return group;
}

am::StoredObject Stored(const std::string& name, const std::string& body, int64_t generation = 3) {
  return {name, generation, body, 1700000000000000, 1700000001000000};
}

nebula::v1::CronJob Job() {
  nebula::v1::CronJob job;
  job.set_name("backup");
  job.set_schedule("0 3 * * *");
  job.mutable_spec()->set_image("busybox:1");
  return job;
}

}  // namespace

TEST_CASE("device group requests: names and members are checked with their index") {
  nebula::v1::CreateDeviceGroupRequest request;
  *request.mutable_device_group() = Group({"web", "Bad", "web"}, {"ok", ""});
  CHECK(Fields([&] { am::CheckCreateDeviceGroupRequest(request); }) ==
        std::vector<std::string>{"device_group.apps[1]", "device_group.apps[2]", "device_group.cron_jobs[1]"});
  request.mutable_device_group()->set_name("");
  *request.mutable_device_group()->mutable_apps() = {};
  request.mutable_device_group()->clear_cron_jobs();
  CHECK(Fields([&] { am::CheckCreateDeviceGroupRequest(request); }) == std::vector<std::string>{"device_group.name"});
  request.mutable_device_group()->set_name("edge");
  CHECK(Fields([&] { am::CheckCreateDeviceGroupRequest(request); }).empty());  // an empty group is fine
}

TEST_CASE("device group requests: at most kMaxGroupMembers members") {
  nebula::v1::CreateDeviceGroupRequest request;
  request.mutable_device_group()->set_name("edge");
  for (int i = 0; i <= am::kMaxGroupMembers; ++i) request.mutable_device_group()->add_apps("a" + std::to_string(i));
  CHECK(Fields([&] { am::CheckCreateDeviceGroupRequest(request); }) == std::vector<std::string>{"device_group.apps"});
}

TEST_CASE("device group updates: mask paths are apps and cron_jobs") {
  nebula::v1::UpdateDeviceGroupRequest request;
  *request.mutable_device_group() = Group({"web"});
  request.mutable_update_mask()->add_paths("apps");
  request.mutable_update_mask()->add_paths("name");
  request.set_expected_generation(-1);
  CHECK(Fields([&] { am::CheckUpdateDeviceGroupRequest(request); }) ==
        std::vector<std::string>{"expected_generation", "update_mask.paths[1]"});
}

TEST_CASE("device group updates replace the masked lists only and keep the prune generation") {
  auto current = Group({"web", "db"}, {"backup"});
  current.set_prune_generation(4);
  nebula::v1::UpdateDeviceGroupRequest request;
  *request.mutable_device_group() = Group({"api"}, {});
  request.mutable_update_mask()->add_paths("apps");
  auto updated = am::DeviceGroupFromStored(
      Stored("edge", am::DeviceGroupBodyAfterUpdate(Stored("edge", am::DeviceGroupBody(current)), request)));
  CHECK(std::vector<std::string>(updated.apps().begin(), updated.apps().end()) == std::vector<std::string>{"api"});
  CHECK(updated.cron_jobs_size() == 1);
  CHECK(updated.prune_generation() == 4);
  request.clear_update_mask();  // both lists
  auto replaced = am::DeviceGroupFromStored(
      Stored("edge", am::DeviceGroupBodyAfterUpdate(Stored("edge", am::DeviceGroupBody(current)), request)));
  CHECK(replaced.cron_jobs_size() == 0);
  CHECK(replaced.prune_generation() == 4);
}

TEST_CASE("device group bodies: prune and drop a member and list members and the API message") {
  auto body = am::DeviceGroupBody(Group({"web", "db"}, {"backup"}));
  auto pruned = am::DeviceGroupFromStored(Stored("edge", am::DeviceGroupBodyPruned(Stored("edge", body))));
  CHECK(pruned.prune_generation() == 1);
  CHECK(pruned.apps_size() == 2);
  auto without = am::MembersOfDeviceGroupBody(am::DeviceGroupBodyWithout(body, "app", "web"));
  CHECK(without.apps == std::vector<std::string>{"db"});
  CHECK(without.cron_jobs == std::vector<std::string>{"backup"});
  auto no_job = am::MembersOfDeviceGroupBody(am::DeviceGroupBodyWithout(body, "cron_job", "backup"));
  CHECK(no_job.cron_jobs.empty());
  CHECK(no_job.apps.size() == 2);
  auto group = am::DeviceGroupFromStored(Stored("edge", body, 7));
  CHECK(group.name() == "edge");
  CHECK(group.generation() == 7);
  CHECK(group.create_time().seconds() == 1700000000);
  CHECK(group.update_time().seconds() == 1700000001);
  // the body never carries name, generation or times
  nebula::v1::DeviceGroup raw;
  REQUIRE(raw.ParseFromString(am::DeviceGroupBody(group)));
  CHECK(raw.name().empty());
  CHECK(raw.generation() == 0);
  CHECK_FALSE(raw.has_create_time());
}

TEST_CASE("cron job requests: schedule and spec and name are all checked") {
  nebula::v1::CreateCronJobRequest request;
  *request.mutable_cron_job() = Job();
  CHECK(Fields([&] { am::CheckCreateCronJobRequest(request); }).empty());
  request.mutable_cron_job()->set_name("Backup!");
  request.mutable_cron_job()->set_schedule("61 * * * *");
  request.mutable_cron_job()->mutable_spec()->set_image("");
  (*request.mutable_cron_job()->mutable_spec()->mutable_env())["1BAD"] = "x";
  auto fields = Fields([&] { am::CheckCreateCronJobRequest(request); });
  REQUIRE(fields.size() == 4);
  CHECK(fields[0] == "cron_job.name");
  CHECK(fields[1] == "cron_job.schedule");
  CHECK(fields[2].rfind("cron_job.spec", 0) == 0);
  CHECK(fields[3].rfind("cron_job.spec", 0) == 0);
  request.mutable_cron_job()->clear_spec();
  request.mutable_cron_job()->set_name("backup");
  request.mutable_cron_job()->set_schedule("@daily");
  CHECK(Fields([&] { am::CheckCreateCronJobRequest(request); }) == std::vector<std::string>{"cron_job.spec"});
}

TEST_CASE("cron job updates: masks and partial merges") {
  nebula::v1::UpdateCronJobRequest request;
  request.mutable_cron_job()->set_name("backup");
  request.mutable_cron_job()->set_schedule("*/5 * * * *");
  request.mutable_update_mask()->add_paths("schedule");
  CHECK(Fields([&] { am::CheckUpdateCronJobRequest(request); }).empty());
  auto stored = Stored("backup", am::CronJobBody(Job()));
  auto merged = am::CronJobFromStored(Stored("backup", am::CronJobBodyAfterUpdate(stored, request)));
  CHECK(merged.schedule() == "*/5 * * * *");
  CHECK(merged.spec().image() == "busybox:1");
  CHECK_FALSE(merged.has_running());

  request.mutable_update_mask()->add_paths("spec.env");
  request.mutable_update_mask()->add_paths("running");
  request.mutable_cron_job()->set_running(false);
  (*request.mutable_cron_job()->mutable_spec()->mutable_env())["A"] = "1";
  merged = am::CronJobFromStored(Stored("backup", am::CronJobBodyAfterUpdate(stored, request)));
  CHECK(merged.has_running());
  CHECK_FALSE(merged.running());
  CHECK(merged.spec().env().at("A") == "1");
  CHECK(merged.spec().image() == "busybox:1");

  request.mutable_update_mask()->add_paths("spec.nope");
  request.mutable_update_mask()->add_paths("generation");
  CHECK(Fields([&] { am::CheckUpdateCronJobRequest(request); }) ==
        std::vector<std::string>{"update_mask.paths[3]", "update_mask.paths[4]"});

  // a partial update that leaves a bad schedule is refused
  nebula::v1::UpdateCronJobRequest bad;
  bad.mutable_cron_job()->set_name("backup");
  bad.mutable_cron_job()->set_schedule("every day");
  bad.mutable_update_mask()->add_paths("schedule");
  CHECK(Fields([&] { am::CronJobBodyAfterUpdate(stored, bad); }) == std::vector<std::string>{"cron_job.schedule"});
  // without a mask the whole job is required
  bad.clear_update_mask();
  CHECK_FALSE(Fields([&] { am::CheckUpdateCronJobRequest(bad); }).empty());
}

TEST_CASE("global settings: prune bumps the prune generation from nothing") {
  am::StoredObject none;
  none.name = "global";
  auto first = am::GlobalFromStored(Stored("global", am::GlobalBodyPruned(none)));
  CHECK(first.prune_generation() == 1);
  auto second =
      am::GlobalFromStored(Stored("global", am::GlobalBodyPruned(Stored("global", am::GlobalBodyPruned(none)))));
  CHECK(second.prune_generation() == 2);
}

TEST_CASE("desired records of groups and cron jobs and global use their keys and the oneof") {
  auto records = am::RecordsForObjectChange(am::ResourceKind::kDeviceGroup,
                                            Stored("edge", am::DeviceGroupBody(Group({"web"})), 5));
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "group/edge");
  nebula::v1::DesiredState state;
  REQUIRE(state.ParseFromString(*records[0].payload));
  CHECK(state.key() == "group/edge");
  CHECK(state.generation() == 5);
  CHECK(state.device_group().apps(0) == "web");
  CHECK(state.device_group().name() == "edge");
  CHECK(state.commit_time().seconds() == 1700000001);

  records = am::RecordsForObjectChange(am::ResourceKind::kCronJob, Stored("backup", am::CronJobBody(Job()), 2));
  REQUIRE(state.ParseFromString(*records[0].payload));
  CHECK(records[0].key == "cron/backup");
  CHECK(state.cron_job().schedule() == "0 3 * * *");

  am::StoredObject none;
  records = am::RecordsForObjectChange(am::ResourceKind::kGlobal, Stored("global", am::GlobalBodyPruned(none), 1));
  REQUIRE(state.ParseFromString(*records[0].payload));
  CHECK(records[0].key == "global");
  CHECK(state.has_global());
  CHECK(state.global().prune_generation() == 1);

  records = am::RecordsForObjectDeletion(am::ResourceKind::kCronJob, "backup", 9, 1700000002000000);
  REQUIRE(records.size() == 2);
  REQUIRE(state.ParseFromString(*records[0].payload));
  CHECK(state.deleted());
  CHECK(state.generation() == 9);
  CHECK(state.cron_job().name() == "backup");
  CHECK(records[1].key == "cron/backup");
  CHECK_FALSE(records[1].payload.has_value());
}
