// The in-memory test doubles the service tests run on hold to the store contracts (store_contracts.h),
// so what those tests show holds for the PostgreSQL stores too (pg/pg_store_contract_integration_test.cpp).
#include <catch2/catch.hpp>

#include "store/memory_app_store.h"
#include "store/memory_resource_store.h"
#include "store/memory_worker_store.h"
#include "store/store_contracts.h"

namespace am = nebula::api_manager;

namespace {

class MemoryStores final : public am::testing::StoresUnderTest {
 public:
  am::AppStore& apps() override { return apps_; }
  am::ResourceStore& resources() override { return resources_; }
  am::WorkerStore& workers() override { return workers_; }

 private:
  am::testing::MemoryDatabase database_;
  am::testing::MemoryAppStore apps_{database_};
  am::testing::MemoryResourceStore resources_{database_};
  am::testing::MemoryWorkerStore workers_;
};

std::unique_ptr<am::testing::StoresUnderTest> MakeMemoryStores() { return std::make_unique<MemoryStores>(); }

}  // namespace

TEST_CASE("store contract: MemoryAppStore") { am::testing::CheckAppStoreContract(MakeMemoryStores); }
TEST_CASE("store contract: MemoryResourceStore") { am::testing::CheckResourceStoreContract(MakeMemoryStores); }
TEST_CASE("store contract: MemoryWorkerStore") { am::testing::CheckWorkerStoreContract(MakeMemoryStores); }
