// AppStore's contract (app_store.h), for every implementation: see store_contracts.h.
#include <catch2/catch.hpp>

#include "api-manager/rules/resource_requests.h"
#include "store/store_contract_support.h"
#include "store/store_contracts.h"

namespace nebula::api_manager::testing {
namespace {

using nebula::v1::App;
using nebula::v1::AppSpec;

SpecChange ImageTo(const std::string& image) {
  return [image](const App&) { return ImageSpec(image); };
}

std::vector<std::string> Names(const AppPage& page) {
  std::vector<std::string> names;
  for (const auto& app : page.apps) names.push_back(app.name());
  return names;
}

std::vector<int64_t> Generations(const RevisionPage& page) {
  std::vector<int64_t> generations;
  for (const auto& revision : page.revisions) generations.push_back(revision.generation);
  return generations;
}

}  // namespace

void CheckAppStoreContract(const MakeStores& make) {
  std::unique_ptr<StoresUnderTest> stores = make();
  AppStore& apps = stores->apps();

  SECTION("Create starts at generation 1 and Get returns what Create returned") {
    App created = apps.Create("web", ImageSpec("nginx:1.25"), Writer("CreateApp"));
    CHECK(created.name() == "web");
    CHECK(created.generation() == 1);
    CHECK(created.spec().image() == "nginx:1.25");
    CHECK(created.create_time().seconds() > 0);
    CHECK(created.update_time().SerializeAsString() == created.create_time().SerializeAsString());
    CHECK(apps.Get("web").SerializeAsString() == created.SerializeAsString());
  }

  SECTION("Create of a live name is kAlreadyExists and writes nothing") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    CHECK(ErrorCodeOf([&] { apps.Create("web", ImageSpec("nginx:1.26"), Writer()); }) == ErrorCode::kAlreadyExists);
    CHECK(apps.Get("web").generation() == 1);
    CHECK(apps.Get("web").spec().image() == "nginx:1.25");
    CHECK(apps.ListRevisions("web", 0, 10).revisions.size() == 1);
  }

  SECTION("Get, Update and Delete of an app that does not exist or was deleted are kNotFound") {
    CHECK(ErrorCodeOf([&] { apps.Get("ghost"); }) == ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { apps.Update("ghost", 0, ImageTo("nginx:1"), Writer()); }) == ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { apps.Delete("ghost", 0, false, Writer()); }) == ErrorCode::kNotFound);
    apps.Create("gone", ImageSpec("nginx:1.25"), Writer());
    apps.Delete("gone", 0, false, Writer());
    CHECK(ErrorCodeOf([&] { apps.Get("gone"); }) == ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { apps.Update("gone", 0, ImageTo("nginx:1"), Writer()); }) == ErrorCode::kNotFound);
    CHECK(ErrorCodeOf([&] { apps.Delete("gone", 0, false, Writer()); }) == ErrorCode::kNotFound);
  }

  SECTION("List pages through the live apps by name") {
    for (const char* name : {"delta", "alpha", "charlie", "bravo", "echo"})
      apps.Create(name, ImageSpec("nginx:1"), Writer());
    apps.Delete("charlie", 0, false, Writer());

    AppPage first = apps.List("", 2);
    CHECK(Names(first) == std::vector<std::string>{"alpha", "bravo"});
    CHECK(first.more);
    AppPage second = apps.List("bravo", 2);
    CHECK(Names(second) == std::vector<std::string>{"delta", "echo"});
    CHECK_FALSE(second.more);  // exactly full: no more after it
    CHECK(Names(apps.List("", 10)) == std::vector<std::string>{"alpha", "bravo", "delta", "echo"});
    CHECK_FALSE(apps.List("", 10).more);
    CHECK(apps.List("echo", 10).apps.empty());
    CHECK(Names(apps.List("b", 1)) == std::vector<std::string>{"bravo"});  // after_name need not exist
    CHECK(apps.List("", 2).apps[1].SerializeAsString() == apps.Get("bravo").SerializeAsString());
  }

  SECTION("Update bumps the generation, keeps create_time and hands the change the current app") {
    App created = apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    App seen;
    App updated = apps.Update(
        "web", 0,
        [&](const App& current) {
          seen = current;
          AppSpec spec = current.spec();
          spec.add_command("serve");
          return spec;
        },
        Writer("UpdateApp"));
    CHECK(seen.SerializeAsString() == created.SerializeAsString());
    CHECK(updated.generation() == 2);
    CHECK(updated.spec().image() == "nginx:1.25");
    CHECK(updated.spec().command_size() == 1);
    CHECK(updated.create_time().SerializeAsString() == created.create_time().SerializeAsString());
    CHECK(apps.Get("web").SerializeAsString() == updated.SerializeAsString());
  }

  SECTION("Update and Delete at another expected generation are kAborted and write nothing; 0 means any") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    apps.Update("web", 1, ImageTo("nginx:1.26"), Writer());
    CHECK(ErrorCodeOf([&] { apps.Update("web", 1, ImageTo("nginx:1.27"), Writer()); }) == ErrorCode::kAborted);
    CHECK(ErrorCodeOf([&] { apps.Update("web", 3, ImageTo("nginx:1.27"), Writer()); }) == ErrorCode::kAborted);
    CHECK(ErrorCodeOf([&] { apps.Delete("web", 1, false, Writer()); }) == ErrorCode::kAborted);
    CHECK(apps.Get("web").generation() == 2);
    CHECK(apps.Get("web").spec().image() == "nginx:1.26");
    CHECK(apps.ListRevisions("web", 0, 10).revisions.size() == 2);
    CHECK(apps.Update("web", 0, ImageTo("nginx:1.27"), Writer()).generation() == 3);
    CHECK(apps.Delete("web", 3, false, Writer()) == 4);
  }

  SECTION("a change that throws passes its error on and writes nothing") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    CHECK(ErrorCodeOf([&] {
            apps.Update(
                "web", 0, [](const App&) -> AppSpec { throw Error(ErrorCode::kInvalidArgument, "refused"); }, Writer());
          }) == ErrorCode::kInvalidArgument);
    CHECK(apps.Get("web").generation() == 1);
    CHECK(apps.ListRevisions("web", 0, 10).revisions.size() == 1);
  }

  SECTION("generations are monotonic for a name across delete and re-create") {
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    apps.Update("web", 0, ImageTo("nginx:1.26"), Writer());
    CHECK(apps.Delete("web", 0, false, Writer()) == 3);
    CHECK(apps.List("", 10).apps.empty());
    App again = apps.Create("web", ImageSpec("nginx:2"), Writer());
    CHECK(again.generation() == 4);
    CHECK(again.spec().image() == "nginx:2");
    CHECK(again.update_time().SerializeAsString() == again.create_time().SerializeAsString());
    CHECK(apps.Delete("web", 4, false, Writer()) == 5);
    CHECK(apps.Create("web", ImageSpec("nginx:3"), Writer()).generation() == 6);
  }

  SECTION("deleting an app a device group lists is kFailedPrecondition naming the groups, unless forced") {
    ResourceStore& resources = stores->resources();
    apps.Create("web", ImageSpec("nginx:1.25"), Writer());
    apps.Create("db", ImageSpec("postgres:15"), Writer());
    resources.Create(ResourceKind::kDeviceGroup, "edge", GroupBody({"web", "db"}), Writer());
    resources.Create(ResourceKind::kDeviceGroup, "lab", GroupBody({"web"}), Writer());
    resources.Create(ResourceKind::kDeviceGroup, "core", GroupBody({"db"}), Writer());

    Error refused = ErrorOf([&] { apps.Delete("web", 0, false, Writer()); });
    CHECK(refused.code() == ErrorCode::kFailedPrecondition);
    CHECK_THAT(std::string(refused.what()),
               Catch::Contains("edge") && Catch::Contains("lab") && !Catch::Contains("core"));
    CHECK(apps.Get("web").generation() == 1);
    CHECK(resources.Get(ResourceKind::kDeviceGroup, "edge").generation == 1);
    CHECK(resources.Get(ResourceKind::kDeviceGroup, "lab").generation == 1);

    CHECK(apps.Delete("web", 1, true, Writer("DeleteApp")) == 2);
    CHECK(ErrorCodeOf([&] { apps.Get("web"); }) == ErrorCode::kNotFound);
    StoredObject edge = resources.Get(ResourceKind::kDeviceGroup, "edge");
    CHECK(edge.generation == 2);
    CHECK(MembersOfDeviceGroupBody(edge.body).apps == std::vector<std::string>{"db"});
    StoredObject lab = resources.Get(ResourceKind::kDeviceGroup, "lab");
    CHECK(lab.generation == 2);
    CHECK(MembersOfDeviceGroupBody(lab.body).apps.empty());
    CHECK(resources.Get(ResourceKind::kDeviceGroup, "core").generation == 1);
    // The groups no longer list it: a re-created app of the name is free to go.
    apps.Create("web", ImageSpec("nginx:2"), Writer());
    CHECK(apps.Delete("web", 0, false, Writer()) == 4);
  }

  SECTION("every write is a revision: newest first, paged by generation, deleted ones included") {
    apps.Create("web", ImageSpec("nginx:1"), Writer("CreateApp", "alice"));
    apps.Update("web", 0, ImageTo("nginx:2"), Writer("UpdateApp", "bob"));
    apps.Update("web", 0, ImageTo("nginx:1"), {"carol", "RollbackApp", 1});
    apps.Delete("web", 0, false, Writer("DeleteApp", "dave"));
    apps.Create("web", ImageSpec("nginx:3"), Writer("CreateApp", "erin"));
    apps.Create("other", ImageSpec("nginx:9"), Writer());

    RevisionPage all = apps.ListRevisions("web", 0, 10);
    CHECK(Generations(all) == std::vector<int64_t>{5, 4, 3, 2, 1});
    CHECK_FALSE(all.more);
    RevisionPage first = apps.ListRevisions("web", 0, 2);
    CHECK(Generations(first) == std::vector<int64_t>{5, 4});
    CHECK(first.more);
    RevisionPage next = apps.ListRevisions("web", 4, 2);
    CHECK(Generations(next) == std::vector<int64_t>{3, 2});
    CHECK(next.more);
    CHECK(Generations(apps.ListRevisions("web", 2, 2)) == std::vector<int64_t>{1});
    CHECK_FALSE(apps.ListRevisions("web", 2, 2).more);
    CHECK(apps.ListRevisions("ghost", 0, 10).revisions.empty());

    const Revision& rollback = all.revisions[2];
    CHECK(rollback.action == "RollbackApp");
    CHECK(rollback.actor == "carol");
    CHECK(rollback.rolled_back_to == 1);
    CHECK(rollback.spec.image() == "nginx:1");
    CHECK_FALSE(rollback.deleted);
    const Revision& deletion = all.revisions[1];
    CHECK(deletion.deleted);
    CHECK(deletion.action == "DeleteApp");
    CHECK(deletion.actor == "dave");
    CHECK(deletion.spec.image() == "nginx:1");  // the spec it had when it was deleted
    CHECK(all.revisions[4].time_us > 0);
    for (size_t i = 1; i < all.revisions.size(); ++i) CHECK(all.revisions[i].time_us <= all.revisions[i - 1].time_us);

    std::optional<Revision> second = apps.GetRevision("web", 2);
    REQUIRE(second);
    CHECK(second->actor == "bob");
    CHECK(second->spec.image() == "nginx:2");
    CHECK_FALSE(apps.GetRevision("web", 6));
    CHECK_FALSE(apps.GetRevision("ghost", 1));
  }
}

}  // namespace nebula::api_manager::testing
