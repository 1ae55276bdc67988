// SqliteStore: the standalone backend. One database file in WAL mode, a small pool of
// connections (readers run in parallel; writers serialise on BEGIN IMMEDIATE with a busy
// timeout), foreign keys on, prepared statements cached per connection. Thread-safe.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace maestro::store {

struct SqliteSettings {
  std::string path;             // database file; created when missing
  std::size_t pool_size = 4;    // connections kept open
  int busy_timeout_ms = 10000;  // how long a writer waits for the write lock
};

class SqliteStore final : public Store {
 public:
  // Opens (creating if needed) the database. kUnavailable naming the path when it cannot.
  static Result<std::unique_ptr<SqliteStore>> Open(SqliteSettings settings);
  ~SqliteStore() override;

  Dialect dialect() const override { return Dialect::kSqlite; }
  Status Transaction(const std::function<Status(Session&)>& work,
                     TransactionMode mode = TransactionMode::kWrite) override;
  Result<Rows> Query(std::string_view sql, const Params& params) override;
  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override;
  Status Each(std::string_view sql, const Params& params, std::size_t batch,
              const std::function<Status(Rows& rows)>& take) override;
  Status Ping() override;
  std::string Describe() const override;
  std::unique_ptr<Held> Listen(std::string channel,
                               std::function<void(std::string_view payload)> deliver) override;
  Result<std::unique_ptr<Held>> TryHoldLock(std::int64_t key) override;

  class Connection;  // one sqlite3 handle with its statement cache

 private:
  explicit SqliteStore(SqliteSettings settings);
  std::unique_ptr<Connection> Borrow();
  void Return(std::unique_ptr<Connection> connection);

  const SqliteSettings settings_;
  std::mutex mutex_;
  std::mutex writer_;  // held through each write transaction
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace maestro::store
