// The documented behaviour of the store interfaces (the comments of app_store.h, resource_store.h and
// worker_store.h), written once and run against every implementation: the in-memory test doubles
// (store/memory_store_contract_test.cpp) and the PostgreSQL stores on a database of their own
// (pg/pg_store_contract_integration_test.cpp). Where the two disagree, PostgreSQL is the reference:
// it is what ships.
//
// Each Check*Contract runs Catch2 SECTIONs; call it from a TEST_CASE. Catch2 runs the case once per
// section, and every run calls make() first, so no section sees another one's rows.
#pragma once

#include <functional>
#include <memory>

#include "api-manager/store/app_store.h"
#include "api-manager/store/resource_store.h"
#include "api-manager/store/worker_store.h"

namespace nebula::api_manager::testing {

// The stores of one empty database. apps() and resources() share it, as device groups list apps.
class StoresUnderTest {
 public:
  virtual ~StoresUnderTest() = default;
  virtual AppStore& apps() = 0;
  virtual ResourceStore& resources() = 0;
  virtual WorkerStore& workers() = 0;
};

using MakeStores = std::function<std::unique_ptr<StoresUnderTest>()>;

void CheckAppStoreContract(const MakeStores& make);
void CheckResourceStoreContract(const MakeStores& make);
void CheckWorkerStoreContract(const MakeStores& make);

}  // namespace nebula::api_manager::testing
