// The store contracts (store/store_contracts.h) against PgAppStore, PgResourceStore and PgWorkerStore
// on the test stack's PostgreSQL. Every run of a case (one per section) gets a database of its own,
// cloned from one migrated template so it costs a copy rather than the migrations, and dropped after.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include "api-manager/pg/migrations.h"
#include "api-manager/pg/pg_app_store.h"
#include "api-manager/pg/pg_pool.h"
#include "api-manager/pg/pg_resource_store.h"
#include "api-manager/pg/pg_worker_store.h"
#include "api_test_support.h"
#include "store/store_contracts.h"

namespace am = nebula::api_manager;
using nebula::api_manager::it::Stack;
using nebula::api_manager::it::UniqueName;
using nebula::api_manager::it::WithDatabase;

namespace {

void Exec(const std::string& sql) {
  pqxx::connection admin(Stack().database_url);
  pqxx::nontransaction(admin).exec(sql);
}

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

// The migrated database every case's database is cloned from; dropped when the process exits.
class TemplateDatabase {
 public:
  TemplateDatabase() : name_(UniqueName("store_contract_template")) {
    Exec("DROP DATABASE IF EXISTS " + Quoted(name_));
    Exec("CREATE DATABASE " + Quoted(name_));
    am::ApplyMigrations(WithDatabase(Stack().database_url, name_));
  }
  ~TemplateDatabase() {
    try {
      Exec("DROP DATABASE IF EXISTS " + Quoted(name_) + " WITH (FORCE)");
    } catch (const std::exception&) {
      // The stack may already be gone at exit; its state dir goes with it.
    }
  }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
};

const std::string& Template() {
  static TemplateDatabase database;
  return database.name();
}

class PgStores final : public am::testing::StoresUnderTest {
 public:
  PgStores() : database_(NextDatabaseName()) {
    Exec("CREATE DATABASE " + Quoted(database_) + " TEMPLATE " + Quoted(Template()));
    pool_ = std::make_unique<am::PgPool>(am::PgPool::Settings{.url = WithDatabase(Stack().database_url, database_),
                                                              .max_connections = 2,
                                                              .on_connect = [](pqxx::connection& conn) {
                                                                am::PgAppStore::PrepareStatements(conn);
                                                                am::PgResourceStore::PrepareStatements(conn);
                                                                am::PgWorkerStore::PrepareStatements(conn);
                                                              }});
    apps_ = std::make_unique<am::PgAppStore>(*pool_);
    resources_ = std::make_unique<am::PgResourceStore>(*pool_);
    workers_ = std::make_unique<am::PgWorkerStore>(*pool_);
  }
  ~PgStores() override {
    apps_.reset();
    resources_.reset();
    workers_.reset();
    pool_.reset();  // closes its sessions
    try {
      Exec("DROP DATABASE " + Quoted(database_) + " WITH (FORCE)");
    } catch (const std::exception& e) {
      WARN("could not drop " << database_ << ": " << e.what());
    }
  }

  am::AppStore& apps() override { return *apps_; }
  am::ResourceStore& resources() override { return *resources_; }
  am::WorkerStore& workers() override { return *workers_; }

 private:
  static std::string NextDatabaseName() {
    static int next = 0;
    return UniqueName("store_contract") + "_" + std::to_string(++next);
  }

  std::string database_;
  std::unique_ptr<am::PgPool> pool_;
  std::unique_ptr<am::PgAppStore> apps_;
  std::unique_ptr<am::PgResourceStore> resources_;
  std::unique_ptr<am::PgWorkerStore> workers_;
};

std::unique_ptr<am::testing::StoresUnderTest> MakePgStores() { return std::make_unique<PgStores>(); }

}  // namespace

TEST_CASE("store contract: PgAppStore", "[integration]") { am::testing::CheckAppStoreContract(MakePgStores); }
TEST_CASE("store contract: PgResourceStore", "[integration]") { am::testing::CheckResourceStoreContract(MakePgStores); }
TEST_CASE("store contract: PgWorkerStore", "[integration]") { am::testing::CheckWorkerStoreContract(MakePgStores); }
