// ResourceStore's contract (resource_store.h), for every implementation: see store_contracts.h.
#include <catch2/catch.hpp>

#include "api-manager/rules/resource_requests.h"
#include "store/store_contract_support.h"
#include "store/store_contracts.h"

namespace nebula::api_manager::testing {
namespace {

constexpr ResourceKind kGroup = ResourceKind::kDeviceGroup;
constexpr ResourceKind kCron = ResourceKind::kCronJob;
constexpr ResourceKind kGlobal = ResourceKind::kGlobal;

BodyChange BodyTo(const std::string& body) {
  return [body](const StoredObject&) { return body; };
}

std::vector<std::string> Names(const ObjectPage& page) {
  std::vector<std::string> names;
  for (const auto& object : page.objects) names.push_back(object.name);
  return names;
}

// "kind/name@generation" of each event, newest first.
std::vector<std::string> Events(const AuditPage& page) {
  std::vector<std::string> events;
  for (const auto& e : page.events)
    events.push_back(e.object_kind + "/" + e.object_name + "@" + std::to_string(e.generation));
  return events;
}

std::vector<std::string> FieldsOf(const Error& error) {
  std::vector<std::string> fields;
  for (const auto& violation : error.violations()) fields.push_back(violation.field);
  return fields;
}

}  // namespace

void CheckResourceStoreContract(const MakeStores& make) {
  std::unique_ptr<StoresUnderTest> stores = make();
  ResourceStore& resources = stores->resources();
  AppStore& apps = stores->apps();

  SECTION("Create starts at generation 1 and Get returns what Create returned, per kind") {
    StoredObject job = resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    CHECK(job.name == "backup");
    CHECK(job.generation == 1);
    CHECK(job.body == CronBody("busybox:1"));
    CHECK(job.create_us > 0);
    CHECK(job.update_us == job.create_us);
    StoredObject got = resources.Get(kCron, "backup");
    CHECK(got.generation == 1);
    CHECK(got.body == job.body);
    CHECK(got.create_us == job.create_us);
    CHECK(got.update_us == job.update_us);
    // Kinds are separate name spaces.
    CHECK(ErrorCodeOf([&] { resources.Get(kGroup, "backup"); }) == ErrorCode::kNotFound);
    CHECK(resources.Create(kGroup, "backup", GroupBody({}), Writer()).generation == 1);
  }

  SECTION("Create of a live name is kAlreadyExists and writes nothing") {
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    CHECK(ErrorCodeOf([&] { resources.Create(kCron, "backup", CronBody("busybox:2"), Writer()); }) ==
          ErrorCode::kAlreadyExists);
    CHECK(resources.Get(kCron, "backup").generation == 1);
    CHECK(resources.Get(kCron, "backup").body == CronBody("busybox:1"));
    CHECK(resources.ListAuditEvents({}).events.size() == 1);
  }

  SECTION("Get, Update and Delete of an object that does not exist or was deleted are kNotFound") {
    CHECK(ErrorCodeOf([&] { resources.Get(kGroup, "ghost"); }) == ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { resources.Update(kGroup, "ghost", 0, BodyTo(GroupBody({})), Writer()); }) ==
          ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { resources.Delete(kGroup, "ghost", 0, false, Writer()); }) == ErrorCode::kNotFound);
    resources.Create(kGroup, "gone", GroupBody({}), Writer());
    resources.Delete(kGroup, "gone", 0, false, Writer());
    CHECK(ErrorCodeOf([&] { resources.Get(kGroup, "gone"); }) == ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { resources.Update(kGroup, "gone", 0, BodyTo(GroupBody({})), Writer()); }) ==
          ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { resources.Delete(kGroup, "gone", 0, false, Writer()); }) == ErrorCode::kNotFound);
  }

  SECTION("List pages through the live objects of one kind by name") {
    for (const char* name : {"delta", "alpha", "charlie", "bravo", "echo"})
      resources.Create(kGroup, name, GroupBody({}), Writer());
    resources.Delete(kGroup, "charlie", 0, false, Writer());
    resources.Create(kCron, "aardvark", CronBody("busybox:1"), Writer());

    ObjectPage first = resources.List(kGroup, "", 2);
    CHECK(Names(first) == std::vector<std::string>{"alpha", "bravo"});
    CHECK(first.more);
    ObjectPage second = resources.List(kGroup, "bravo", 2);
    CHECK(Names(second) == std::vector<std::string>{"delta", "echo"});
    CHECK_FALSE(second.more);
    CHECK(Names(resources.List(kGroup, "", 10)) == std::vector<std::string>{"alpha", "bravo", "delta", "echo"});
    CHECK(resources.List(kGroup, "echo", 10).objects.empty());
    CHECK(Names(resources.List(kCron, "", 10)) == std::vector<std::string>{"aardvark"});
    CHECK(resources.List(kGlobal, "", 10).objects.empty());
  }

  SECTION("Update bumps the generation, keeps create_us and hands the change the current object") {
    StoredObject created = resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    StoredObject seen;
    StoredObject updated = resources.Update(
        kCron, "backup", 1,
        [&](const StoredObject& current) {
          seen = current;
          return CronBody("busybox:2");
        },
        Writer());
    CHECK(seen.name == "backup");
    CHECK(seen.generation == 1);
    CHECK(seen.body == created.body);
    CHECK(updated.generation == 2);
    CHECK(updated.body == CronBody("busybox:2"));
    CHECK(updated.create_us == created.create_us);
    CHECK(updated.update_us >= created.update_us);
    CHECK(resources.Get(kCron, "backup").body == updated.body);
  }

  SECTION("Update and Delete at another expected generation are kAborted and write nothing; 0 means any") {
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    CHECK(ErrorCodeOf([&] { resources.Update(kCron, "backup", 2, BodyTo(CronBody("busybox:2")), Writer()); }) ==
          ErrorCode::kAborted);
    CHECK(ErrorCodeOf([&] { resources.Delete(kCron, "backup", 2, false, Writer()); }) == ErrorCode::kAborted);
    CHECK(resources.Get(kCron, "backup").generation == 1);
    CHECK(resources.ListAuditEvents({}).events.size() == 1);
    CHECK(resources.Update(kCron, "backup", 0, BodyTo(CronBody("busybox:2")), Writer()).generation == 2);
    CHECK(resources.Delete(kCron, "backup", 2, false, Writer()) == 3);
  }

  SECTION("a change that throws passes its error on and writes nothing") {
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    auto refuse = [](const StoredObject&) -> std::string { throw Error(ErrorCode::kInvalidArgument, "refused"); };
    CHECK(ErrorCodeOf([&] { resources.Update(kCron, "backup", 0, refuse, Writer()); }) == ErrorCode::kInvalidArgument);
    CHECK(ErrorCodeOf([&] { resources.Upsert(kGlobal, "global", refuse, Writer()); }) == ErrorCode::kInvalidArgument);
    CHECK(resources.Get(kCron, "backup").generation == 1);
    CHECK(ErrorCodeOf([&] { resources.Get(kGlobal, "global"); }) == ErrorCode::kNotFound);
    CHECK(resources.List(kGlobal, "", 10).objects.empty());
    CHECK(resources.ListAuditEvents({}).events.size() == 1);
  }

  SECTION("Upsert creates the missing object at generation 1 from an empty body, then changes it") {
    StoredObject seen;
    seen.generation = -1;
    StoredObject first = resources.Upsert(
        kGlobal, "global",
        [&](const StoredObject& current) {
          seen = current;
          return std::string();
        },
        Writer());
    CHECK(seen.name == "global");
    CHECK(seen.generation == 0);
    CHECK(seen.body.empty());
    CHECK(first.generation == 1);
    CHECK(first.create_us > 0);
    StoredObject second = resources.Upsert(
        kGlobal, "global",
        [&](const StoredObject& current) {
          seen = current;
          return std::string();
        },
        Writer());
    CHECK(seen.generation == 1);
    CHECK(second.generation == 2);
    CHECK(second.create_us == first.create_us);
    CHECK(resources.Get(kGlobal, "global").generation == 2);
  }

  SECTION("generations are monotonic for a name across delete and re-create") {
    resources.Create(kGroup, "edge", GroupBody({}), Writer());
    resources.Update(kGroup, "edge", 0, BodyTo(GroupBody({})), Writer());
    CHECK(resources.Delete(kGroup, "edge", 0, false, Writer()) == 3);
    CHECK(resources.List(kGroup, "", 10).objects.empty());
    StoredObject again = resources.Create(kGroup, "edge", GroupBody({}), Writer());
    CHECK(again.generation == 4);
    CHECK(again.update_us == again.create_us);
    CHECK(resources.Delete(kGroup, "edge", 4, false, Writer()) == 5);
  }

  SECTION("a device group's members must exist: kInvalidArgument naming each missing one, nothing written") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    Error missing = ErrorOf([&] {
      resources.Create(kGroup, "edge", GroupBody({"web", "ghost"}, {"backup", "nightly"}), Writer());
    });
    CHECK(missing.code() == ErrorCode::kInvalidArgument);
    CHECK(FieldsOf(missing) == std::vector<std::string>{"device_group.apps[1]", "device_group.cron_jobs[1]"});
    CHECK(ErrorCodeOf([&] { resources.Get(kGroup, "edge"); }) == ErrorCode::kNotFound);

    resources.Create(kGroup, "edge", GroupBody({"web"}, {"backup"}), Writer());
    Error update = ErrorOf([&] { resources.Update(kGroup, "edge", 0, BodyTo(GroupBody({"ghost"})), Writer()); });
    CHECK(update.code() == ErrorCode::kInvalidArgument);
    CHECK(FieldsOf(update) == std::vector<std::string>{"device_group.apps[0]"});
    CHECK(resources.Get(kGroup, "edge").generation == 1);
    // A deleted app is not a member either.
    apps.Create("old", ImageSpec("nginx:1"), Writer());
    apps.Delete("old", 0, false, Writer());
    CHECK(ErrorCodeOf([&] { resources.Update(kGroup, "edge", 0, BodyTo(GroupBody({"old"})), Writer()); }) ==
          ErrorCode::kInvalidArgument);
    CHECK(resources.Update(kGroup, "edge", 0, BodyTo(GroupBody({"web"})), Writer()).generation == 2);
  }

  SECTION("deleting a cron job a device group lists is kFailedPrecondition naming the groups, unless forced") {
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    resources.Create(kCron, "rotate", CronBody("busybox:1"), Writer());
    resources.Create(kGroup, "edge", GroupBody({}, {"backup", "rotate"}), Writer());
    resources.Create(kGroup, "core", GroupBody({}, {"rotate"}), Writer());

    Error refused = ErrorOf([&] { resources.Delete(kCron, "backup", 0, false, Writer()); });
    CHECK(refused.code() == ErrorCode::kFailedPrecondition);
    CHECK_THAT(std::string(refused.what()), Catch::Contains("edge") && !Catch::Contains("core"));
    CHECK(resources.Get(kCron, "backup").generation == 1);
    CHECK(resources.Get(kGroup, "edge").generation == 1);

    CHECK(resources.Delete(kCron, "backup", 0, true, Writer()) == 2);
    CHECK(ErrorCodeOf([&] { resources.Get(kCron, "backup"); }) == ErrorCode::kNotFound);
    StoredObject edge = resources.Get(kGroup, "edge");
    CHECK(edge.generation == 2);
    CHECK(MembersOfDeviceGroupBody(edge.body).cron_jobs == std::vector<std::string>{"rotate"});
    CHECK(resources.Get(kGroup, "core").generation == 1);
  }

  SECTION("a deleted device group no longer holds its members") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer());
    resources.Create(kGroup, "edge", GroupBody({"web"}, {"backup"}), Writer());
    resources.Delete(kGroup, "edge", 0, false, Writer());
    CHECK(apps.Delete("web", 0, false, Writer()) == 2);
    CHECK(resources.Delete(kCron, "backup", 0, false, Writer()) == 2);
  }

  SECTION("a device group's update replaces its members") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    apps.Create("db", ImageSpec("postgres:15"), Writer());
    resources.Create(kGroup, "edge", GroupBody({"web"}), Writer());
    resources.Update(kGroup, "edge", 0, BodyTo(GroupBody({"db"})), Writer());
    CHECK(apps.Delete("web", 0, false, Writer()) == 2);
    CHECK(ErrorCodeOf([&] { apps.Delete("db", 0, false, Writer()); }) == ErrorCode::kFailedPrecondition);
  }

  SECTION("every write is an audit event: newest first, filtered by kind and name, paged by id") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer("CreateApp", "alice"));
    resources.Create(kGroup, "edge", GroupBody({"web"}), Writer("CreateDeviceGroup", "bob"));
    resources.Create(kCron, "backup", CronBody("busybox:1"), Writer("CreateCronJob", "carol"));
    resources.Upsert(kGlobal, "global", BodyTo(""), Writer("PruneAll", "dave"));
    apps.Delete("web", 0, true, Writer("DeleteApp", "erin"));  // the group drops it: an event of its own

    AuditPage all = resources.ListAuditEvents({});
    CHECK(Events(all) == std::vector<std::string>{"app/web@2", "device_group/edge@2", "global/global@1",
                                                  "cron_job/backup@1", "device_group/edge@1", "app/web@1"});
    CHECK_FALSE(all.more);
    for (size_t i = 1; i < all.events.size(); ++i) {
      CHECK(all.events[i].id < all.events[i - 1].id);
      CHECK(all.events[i].time_us <= all.events[i - 1].time_us);
    }
    const AuditEventRow& group_created = all.events[4];
    CHECK(group_created.actor == "bob");
    CHECK(group_created.action == "CreateDeviceGroup");
    CHECK(group_created.time_us > 0);
    CHECK(all.events[1].actor == "erin");  // the forced drop is the deleting call's
    CHECK(all.events[1].action == "DeleteApp");

    CHECK(Events(resources.ListAuditEvents({.object_kind = "device_group"})) ==
          std::vector<std::string>{"device_group/edge@2", "device_group/edge@1"});
    CHECK(Events(resources.ListAuditEvents({.object_name = "web"})) ==
          std::vector<std::string>{"app/web@2", "app/web@1"});
    CHECK(resources.ListAuditEvents({.object_kind = "cron_job", .object_name = "web"}).events.empty());

    AuditPage first = resources.ListAuditEvents({.limit = 4});
    CHECK(Events(first) ==
          std::vector<std::string>{"app/web@2", "device_group/edge@2", "global/global@1", "cron_job/backup@1"});
    CHECK(first.more);
    AuditPage rest = resources.ListAuditEvents({.before_id = first.events.back().id, .limit = 4});
    CHECK(Events(rest) == std::vector<std::string>{"device_group/edge@1", "app/web@1"});
    CHECK_FALSE(rest.more);
  }
}

}  // namespace nebula::api_manager::testing
