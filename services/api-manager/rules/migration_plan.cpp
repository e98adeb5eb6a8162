#include "api-manager/rules/migration_plan.h"

#include <cstdint>
#include <map>

#include "common/error.h"

namespace nebula::api_manager {

std::string MigrationChecksum(std::string_view sql) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (unsigned char c : sql) {
    hash ^= c;
    hash *= 0x100000001b3ull;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, hash >>= 4) out[size_t(i)] = kHex[hash & 0xf];
  return out;
}

MigrationPlan PlanMigrations(const std::vector<Migration>& embedded, const std::vector<AppliedMigration>& applied) {
  std::map<int, const AppliedMigration*> done;
  for (const auto& a : applied) done[a.version] = &a;
  MigrationPlan plan;
  std::map<int, const Migration*> known;
  for (const auto& m : embedded) known[m.version] = &m;
  for (const auto& [version, m] : known) {
    auto it = done.find(version);
    if (it == done.end()) {
      plan.to_apply.push_back(*m);
      continue;
    }
    std::string checksum = MigrationChecksum(m->sql);
    if (it->second->checksum != checksum)
      throw Error(ErrorCode::kFailedPrecondition,
                  "database migration " + m->name + " was changed after it was applied (checksum " +
                      it->second->checksum + " in schema_migrations, " + checksum +
                      " in this binary); never edit an applied migration, add a new one instead");
  }
  for (const auto& [version, a] : done)
    if (!known.count(version))
      plan.warnings.push_back("the database has migration " + a->name +
                              ", which this binary does not know (a newer api-manager applied it); continuing");
  return plan;
}

}  // namespace nebula::api_manager
