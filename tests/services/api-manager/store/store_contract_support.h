// What the store contracts (store_contracts.h) share: the code a call throws, and bodies the stores
// accept (PostgreSQL parses them to build the outbox records).
#pragma once

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "api-manager/rules/resource_requests.h"
#include "api-manager/store/app_store.h"
#include "common/error.h"

namespace nebula::api_manager::testing {

// The nebula::Error code call throws; fails the test if it throws nothing or something else.
inline ErrorCode ErrorCodeOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& error) {
    return error.code();
  } catch (const std::exception& other) {
    FAIL("not a nebula::Error: " << other.what());
  }
  FAIL("nothing was thrown");
  return ErrorCode::kInternal;
}

// The nebula::Error call throws (a default one, and a failed test, if it throws none).
inline Error ErrorOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& error) {
    return error;
  }
  FAIL("no nebula::Error was thrown");
  return Error(ErrorCode::kInternal, "");
}

inline WriteInfo Writer(const std::string& action = "Test", const std::string& actor = "contract") {
  return {actor, action, 0};
}

inline nebula::v1::AppSpec ImageSpec(const std::string& image) {
  nebula::v1::AppSpec spec;
  spec.set_image(image);
  return spec;
}

inline std::string GroupBody(const std::vector<std::string>& apps, const std::vector<std::string>& cron_jobs = {}) {
  nebula::v1::DeviceGroup group;
  for (const auto& app : apps) group.add_apps(app);
  for (const auto& job : cron_jobs) group.add_cron_jobs(job);
  return DeviceGroupBody(group);
}

inline std::string CronBody(const std::string& image) {
  nebula::v1::CronJob job;
  job.set_schedule("@daily");
  job.mutable_spec()->set_image(image);
  return CronJobBody(job);
}

}  // namespace nebula::api_manager::testing
