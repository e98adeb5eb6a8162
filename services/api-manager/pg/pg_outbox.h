// Outbox on PostgreSQL. One dedicated session holds the relay's advisory lock, LISTENs for writers
// and reads/deletes the rows, so losing the session means losing the lock and the relay stops.
#pragma once

#include <memory>
#include <string>

#include "api-manager/store/outbox.h"

#include "api-manager/pg/pg_forward.h"

namespace nebula::api_manager {

class PgOutbox final : public Outbox {
 public:
  explicit PgOutbox(std::string database_url);
  ~PgOutbox() override;

  bool TryLead() override;
  void Resign() override;
  std::vector<OutboxRow> Read(size_t limit) override;
  void Remove(const std::vector<int64_t>& ids) override;
  bool WaitForChange(std::chrono::milliseconds timeout) override;

 private:
  class Listener;

  bool TryLeadOnce();
  std::vector<OutboxRow> ReadOnce(size_t limit);
  // Throws if the session changed under us (libpq reconnected): the lock would be gone.
  void CheckSession() const;

  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<Listener> listener_;
  int backend_pid_ = 0;
  bool notified_ = false;
};

}  // namespace nebula::api_manager
