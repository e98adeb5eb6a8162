// The relay's view of the outbox table (PostgreSQL in production, see pg_outbox.h). Leadership is
// part of it because it lives on the same database session: the session-level advisory lock is
// held exactly as long as the connection that reads and deletes the rows.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nebula::api_manager {

struct OutboxRow {
  int64_t id = 0;
  std::string key;
  std::optional<std::string> payload;  // nullopt = tombstone
};

// Methods throw on database errors; the relay then calls Resign() and starts over.
class Outbox {
 public:
  virtual ~Outbox() = default;

  // True if this process is (or just became) the one active relay.
  virtual bool TryLead() = 0;
  // Gives up leadership and the session (other replicas take over).
  virtual void Resign() = 0;
  // The oldest rows, in id order.
  virtual std::vector<OutboxRow> Read(size_t limit) = 0;
  // Deletes exactly these rows (never "everything up to an id": a row with a smaller id may still
  // be in a transaction that commits later).
  virtual void Remove(const std::vector<int64_t>& ids) = 0;
  // Blocks until a writer signals new rows or the timeout passes; true if signalled.
  virtual bool WaitForChange(std::chrono::milliseconds timeout) = 0;
};

}  // namespace nebula::api_manager
