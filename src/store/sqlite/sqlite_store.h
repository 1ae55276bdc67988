// SqliteStore: the standalone backend. One database file in WAL mode, a small pool of
// connections (readers run in parallel; writers serialise on BEGIN IMMEDIATE with a busy
// timeout), foreign keys on, prepared statements cached per connection. Thread-safe.
//
// Writes commit in groups: the write transactions that queue while one commits run next, one
// after another in one SQLite transaction, each inside a savepoint of its own (its failure undoes
// its work only), and commit together. Each caller still returns only once its work is committed
// (or has failed), so the contract of Store::Transaction holds; what a group saves is the COMMIT
// (its WAL write and index merges) of every member but one. Checkpoints (copying the WAL into the
// database, with its fsync) run on a thread of their own instead of inside the commit that
// crosses the threshold.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.h"

struct sqlite3;

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
  struct Write;  // a write transaction waiting for its group
  class Lease;   // a pooled connection, given back at its end
  explicit SqliteStore(SqliteSettings settings);
  std::unique_ptr<Connection> Borrow();
  void Return(std::unique_ptr<Connection> connection);
  // Runs `group` in one transaction (see above) and gives each its outcome.
  void Commit(const std::vector<Write*>& group);
  // SQLite's WAL hook, after each commit: wakes the checkpointer past kCheckpointPages, and
  // checkpoints in the commit itself past 8 times as many (writers outrunning the checkpointer).
  static int OnWalCommit(void* store, sqlite3* db, const char* name, int pages);
  void Checkpoints();

  static constexpr std::size_t kMaxGroup = 256;  // writes in one group at most
  static constexpr int kCheckpointPages = 1000;  // SQLite's own default threshold

  const SqliteSettings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;

  std::mutex writes_mutex_;
  std::condition_variable writes_done_;
  std::vector<Write*> writes_;  // waiting for the next group
  bool committing_ = false;     // a thread is running a group

  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_due_ = false;
  std::atomic<int> pages_at_checkpoint_ = 0;  // the WAL's size at the last checkpoint asked for
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace maestro::store
