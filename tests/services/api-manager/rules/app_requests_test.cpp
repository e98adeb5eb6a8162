#include "api-manager/rules/app_requests.h"

#include <catch2/catch.hpp>

using nebula::ErrorCode;
using nebula::v1::App;
using nebula::v1::AppSpec;
namespace am = nebula::api_manager;

namespace {

// The fields of the INVALID_ARGUMENT that fn throws (empty if it does not throw).
template <class Fn>
std::vector<std::string> RefusedFields(Fn&& fn) {
  try {
    fn();
  } catch (const nebula::Error& e) {
    REQUIRE(e.code() == ErrorCode::kInvalidArgument);
    std::vector<std::string> fields;
    for (const auto& v : e.violations()) fields.push_back(v.field);
    return fields;
  }
  return {};
}

App StoredApp() {
  App app;
  app.set_name("web");
  app.set_generation(4);
  auto* spec = app.mutable_spec();
  spec->set_image("nginx:1.25");
  (*spec->mutable_env())["A"] = "1";
  spec->add_networks("backend");
  spec->set_running(false);
  return app;
}

nebula::v1::UpdateAppRequest Update(std::initializer_list<const char*> paths, const AppSpec& spec = AppSpec()) {
  nebula::v1::UpdateAppRequest request;
  request.mutable_app()->set_name("web");
  *request.mutable_app()->mutable_spec() = spec;
  for (const char* p : paths) request.mutable_update_mask()->add_paths(p);
  return request;
}

}  // namespace

TEST_CASE("create requests need a valid name and a valid spec") {
  nebula::v1::CreateAppRequest request;
  CHECK(RefusedFields([&] { am::CheckCreateRequest(request); }) == std::vector<std::string>{"app.name", "app.spec"});
  request.mutable_app()->set_name("web");
  request.mutable_app()->mutable_spec()->set_image("nginx");
  CHECK(RefusedFields([&] { am::CheckCreateRequest(request); }).empty());
}

TEST_CASE("update requests: mask paths are spec fields") {
  CHECK(RefusedFields([] {
          am::CheckUpdateRequest(Update({"spec.image", "spec.env", "spec.containers_per.instance"}));
        }).empty());
  CHECK(RefusedFields([] { am::CheckUpdateRequest(Update({"spec"})); }).empty());
  CHECK(RefusedFields([] {
          am::CheckUpdateRequest(Update({"generation", "spec.bogus", "spec.env.A", "specs", ""}));
        }) == std::vector<std::string>{"update_mask.paths[0]", "update_mask.paths[1]", "update_mask.paths[2]",
                                       "update_mask.paths[3]", "update_mask.paths[4]"});
}

TEST_CASE("update masks are bounded") {
  auto request = Update({});
  for (int i = 0; i <= am::kMaxMaskPaths; ++i) request.mutable_update_mask()->add_paths("spec.image");
  CHECK(RefusedFields([&] { am::CheckUpdateRequest(request); }) == std::vector<std::string>{"update_mask.paths"});
}

TEST_CASE("update requests without a mask need a full valid spec") {
  nebula::v1::UpdateAppRequest request;
  request.mutable_app()->set_name("web");
  CHECK(RefusedFields([&] { am::CheckUpdateRequest(request); }) == std::vector<std::string>{"app.spec"});
  request.mutable_app()->mutable_spec()->set_image("Bad Image");
  CHECK(RefusedFields([&] { am::CheckUpdateRequest(request); }) == std::vector<std::string>{"app.spec.image"});
  request.mutable_app()->mutable_spec()->set_image("nginx");
  request.set_expected_generation(-3);
  CHECK(RefusedFields([&] { am::CheckUpdateRequest(request); }) == std::vector<std::string>{"expected_generation"});
}

TEST_CASE("delete requests") {
  nebula::v1::DeleteAppRequest request;
  request.set_name("-x");
  request.set_expected_generation(-1);
  CHECK(RefusedFields([&] { am::CheckDeleteRequest(request); }) ==
        std::vector<std::string>{"name", "expected_generation"});
}

TEST_CASE("SpecAfterUpdate merges masked fields over the stored spec") {
  App stored = StoredApp();
  AppSpec patch;
  patch.set_image("nginx:1.26");
  patch.add_networks("frontend");
  patch.set_running(true);

  SECTION("only the listed fields change") {
    AppSpec spec = am::SpecAfterUpdate(stored, Update({"spec.image"}, patch));
    CHECK(spec.image() == "nginx:1.26");
    CHECK(spec.networks_size() == 1);
    CHECK(spec.networks(0) == "backend");
    CHECK(spec.has_running());
    CHECK_FALSE(spec.running());
    CHECK(spec.env().at("A") == "1");
  }
  SECTION("lists are replaced, not appended") {
    AppSpec spec = am::SpecAfterUpdate(stored, Update({"spec.networks"}, patch));
    REQUIRE(spec.networks_size() == 1);
    CHECK(spec.networks(0) == "frontend");
  }
  SECTION("an optional field in the mask but not in the request becomes unset") {
    AppSpec spec = am::SpecAfterUpdate(stored, Update({"spec.running"}, AppSpec()));
    CHECK_FALSE(spec.has_running());
  }
  SECTION("a nested field") {
    AppSpec nested;
    nested.mutable_update_strategy()->set_max_unavailable(3);
    AppSpec spec = am::SpecAfterUpdate(stored, Update({"spec.update_strategy.max_unavailable"}, nested));
    CHECK(spec.update_strategy().max_unavailable() == 3);
  }
  SECTION("no mask: the request's spec, normalized") {
    AppSpec full;
    full.set_image("busybox");
    full.mutable_resources();  // present but empty
    AppSpec spec = am::SpecAfterUpdate(stored, Update({}, full));
    CHECK(spec.image() == "busybox");
    CHECK_FALSE(spec.has_resources());
    CHECK(spec.env().empty());
  }
  SECTION("the merged spec is validated") {
    CHECK(RefusedFields([&] { am::SpecAfterUpdate(stored, Update({"spec.image"}, AppSpec())); }) ==
          std::vector<std::string>{"app.spec.image"});
  }
}

TEST_CASE("expected_generation") {
  CHECK_NOTHROW(am::CheckExpectedGeneration("web", 0, 5));
  CHECK_NOTHROW(am::CheckExpectedGeneration("web", 5, 5));
  try {
    am::CheckExpectedGeneration("web", 4, 5);
    FAIL("expected ABORTED");
  } catch (const nebula::Error& e) {
    CHECK(e.code() == ErrorCode::kAborted);
    CHECK(std::string(e.what()).find("generation 5, not the expected 4") != std::string::npos);
  }
}

TEST_CASE("normalization folds only equivalent encodings") {
  AppSpec spec;
  spec.set_image("nginx");
  spec.mutable_containers_per();
  spec.mutable_update_strategy();
  spec.mutable_resources();
  AppSpec normalized = am::NormalizeSpec(spec);
  CHECK_FALSE(normalized.has_containers_per());
  CHECK_FALSE(normalized.has_update_strategy());
  CHECK_FALSE(normalized.has_resources());
  CHECK_FALSE(normalized.has_running());  // unset stays unset: "true" is the reader's default

  spec.mutable_containers_per()->set_instance(1);
  spec.mutable_resources()->set_cpus(1);
  normalized = am::NormalizeSpec(spec);
  CHECK(normalized.has_containers_per());
  CHECK(normalized.has_resources());
}

TEST_CASE("unknown fields from newer clients are dropped") {
  AppSpec spec;
  spec.set_image("nginx");
  std::string bytes = spec.SerializeAsString();
  bytes += std::string("\xf8\x3e\x01", 3);  // field 999, varint 1
  AppSpec parsed;
  REQUIRE(parsed.ParseFromString(bytes));
  CHECK(parsed.ByteSizeLong() > spec.ByteSizeLong());
  CHECK(am::NormalizeSpec(parsed).SerializeAsString() == spec.SerializeAsString());
}

TEST_CASE("page limits") {
  CHECK(am::PageLimit(0) == am::kDefaultPageSize);
  CHECK(am::PageLimit(1) == 1);
  CHECK(am::PageLimit(5000) == am::kMaxPageSize);
  CHECK(RefusedFields([] { am::PageLimit(-1); }) == std::vector<std::string>{"page_size"});
}

TEST_CASE("InvalidRequest bounds the list it reports") {
  std::vector<nebula::FieldViolation> few = {{"a", "x"}, {"b", "y"}};
  CHECK(am::InvalidRequest(few).violations() == few);
  std::vector<nebula::FieldViolation> many;
  for (int i = 0; i < 25; ++i) many.push_back({"f" + std::to_string(i), "bad"});
  auto error = am::InvalidRequest(many);
  REQUIRE(error.violations().size() == am::kMaxReportedViolations);
  CHECK(error.violations()[8].field == "f8");
  CHECK(error.violations().back().description.find("16 more problems") != std::string::npos);
}
