#include "store/sqlite/sqlite_store.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace maestro::store {
namespace {

Error ToError(const SQLite::Exception& e) {
  const int code = e.getErrorCode();
  if (code == SQLITE_CONSTRAINT) {
    const int extended = e.getExtendedErrorCode();
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Error{ErrorCode::kConflict, fmt::format("duplicate key: {}", e.what())};
    }
    return Error{ErrorCode::kConflict, fmt::format("constraint failed: {}", e.what())};
  }
  if (code == SQLITE_BUSY || code == SQLITE_LOCKED || code == SQLITE_CANTOPEN ||
      code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_READONLY) {
    return Error{ErrorCode::kUnavailable, fmt::format("database unavailable: {}", e.what())};
  }
  return Error{ErrorCode::kInternal, fmt::format("database error: {}", e.what())};
}

}  // namespace

class SqliteStore::Connection final : public Session {
 public:
  explicit Connection(const SqliteSettings& settings)
      : db_(settings.path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX) {
    db_.setBusyTimeout(settings.busy_timeout_ms);
    // A new database gets 8 KiB pages (before WAL, which fixes the size): history entries of
    // 2–3 KB left a third of each 4 KiB page empty. No effect on an existing database.
    db_.exec("PRAGMA page_size=8192");
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=NORMAL");
    db_.exec("PRAGMA foreign_keys=ON");
    // Reads through a memory map: the pool's connections share the OS's copy of the pages instead
    // of each copying them into its own cache (a third of the time of a list, measured).
    db_.exec("PRAGMA mmap_size=1073741824");
    db_.exec("PRAGMA temp_store=MEMORY");
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  sqlite3* Handle() const { return db_.getHandle(); }
  // True outside a transaction: after BEGIN, only when SQLite rolled it back itself.
  bool InAutocommit() const { return sqlite3_get_autocommit(db_.getHandle()) != 0; }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    try {
      SQLite::Statement& statement = Prepare(sql, params);
      Rows rows = Columns(statement);
      while (statement.executeStep()) ReadRow(statement, rows);
      statement.reset();
      return rows;
    } catch (const SQLite::Exception& e) {
      ResetAll();
      return Fail(ToError(e));
    }
  }

  // Store::Each on this connection.
  Status Each(std::string_view sql, const Params& params, std::size_t batch,
              const std::function<Status(Rows& rows)>& take) {
    batch = std::max<std::size_t>(1, batch);
    try {
      SQLite::Statement& statement = Prepare(sql, params);
      Rows rows = Columns(statement);
      rows.rows.reserve(batch);
      for (;;) {
        const bool more = statement.executeStep();
        if (more) ReadRow(statement, rows);
        if (rows.size() == batch || (!more && !rows.empty())) {
          if (auto taken = take(rows); !taken) {
            statement.reset();
            return taken;
          }
          rows.rows.clear();
        }
        if (!more) break;
      }
      statement.reset();
      return {};
    } catch (const SQLite::Exception& e) {
      ResetAll();
      return Fail(ToError(e));
    }
  }

  Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                    const Params& values) override {
    if (columns.empty() || values.empty()) return {};
    // Full statements of kRows rows, then the rest one row at a time: two statements to prepare
    // and cache per table, whatever the number of rows.
    const std::size_t width = columns.size();
    const std::size_t rows = values.size() / width;
    const std::size_t per = std::max<std::size_t>(1, std::min<std::size_t>(kRows, 32766 / width));
    auto sql = [&](std::size_t count) {
      std::string text =
          fmt::format("INSERT INTO {} ({}) VALUES ", table, fmt::join(columns, ", "));
      std::string one = "(";
      for (std::size_t c = 0; c < width; ++c) one += c ? ", ?" : "?";
      one += ")";
      for (std::size_t r = 0; r < count; ++r) {
        if (r) text += ", ";
        text += one;
      }
      return text;
    };
    try {
      const std::string full = sql(per);
      const std::string single = sql(1);
      std::size_t row = 0;
      for (; row + per <= rows; row += per) {
        SQLite::Statement& statement = Prepare(full, values, row * width, per * width, true);
        statement.exec();
      }
      for (; row < rows; ++row) {
        SQLite::Statement& statement = Prepare(single, values, row * width, width, true);
        statement.exec();
      }
      return {};
    } catch (const SQLite::Exception& e) {
      ResetAll();
      return Fail(ToError(e));
    }
  }

  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override {
    try {
      SQLite::Statement& statement = Prepare(sql, params);
      while (statement.executeStep()) {
      }
      statement.reset();
      return static_cast<std::int64_t>(db_.getChanges());
    } catch (const SQLite::Exception& e) {
      ResetAll();
      return Fail(ToError(e));
    }
  }

  Status ExecScript(std::string_view sql) override {
    try {
      db_.exec(std::string(sql));
      return {};
    } catch (const SQLite::Exception& e) {
      return Fail(ToError(e));
    }
  }

 private:
  static Rows Columns(SQLite::Statement& statement) {
    Rows rows;
    const int columns = statement.getColumnCount();
    for (int i = 0; i < columns; ++i) rows.columns.emplace_back(statement.getColumnName(i));
    return rows;
  }

  // Appends the statement's current row to `rows`.
  static void ReadRow(SQLite::Statement& statement, Rows& rows) {
    const int columns = statement.getColumnCount();
    auto& row = rows.rows.emplace_back();
    row.reserve(columns);
    for (int i = 0; i < columns; ++i) {
      const SQLite::Column column = statement.getColumn(i);
      switch (column.getType()) {
        case SQLITE_INTEGER:
          row.emplace_back(static_cast<std::int64_t>(column.getInt64()));
          break;
        case SQLITE_FLOAT:
          row.emplace_back(column.getDouble());
          break;
        case SQLITE_NULL:
          row.emplace_back(nullptr);
          break;
        default:
          row.emplace_back(column.getString());
          break;
      }
    }
  }

  SQLite::Statement& Prepare(std::string_view sql, const Params& params) {
    return Prepare(sql, params, 0, params.size());
  }

  // The cached statement of `sql` with params[first, first + count) bound. `borrow_text`: texts
  // are bound without a copy, for a caller that runs the statement while `params` lives (SQLite
  // would otherwise copy every text of a bulk insert once more).
  SQLite::Statement& Prepare(std::string_view sql, const Params& params, std::size_t first,
                             std::size_t count, bool borrow_text = false) {
    auto it = statements_.find(std::string(sql));
    if (it == statements_.end()) {
      it =
          statements_
              .emplace(std::string(sql), std::make_unique<SQLite::Statement>(db_, std::string(sql)))
              .first;
    }
    SQLite::Statement& statement = *it->second;
    statement.reset();
    statement.clearBindings();
    int index = 1;
    for (std::size_t i = first; i < first + count; ++i) {
      const Value& value = params[i];
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::nullptr_t>) {
              statement.bind(index);
            } else if constexpr (std::is_same_v<T, bool>) {
              statement.bind(index, v ? 1 : 0);
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
              statement.bind(index, static_cast<int64_t>(v));
            } else if constexpr (std::is_same_v<T, double>) {
              statement.bind(index, v);
            } else if (borrow_text) {
              statement.bindNoCopy(index, v);
            } else {
              statement.bind(index, v);
            }
          },
          value);
      ++index;
    }
    return statement;
  }

  // After a failure, statements may hold read locks; reset them so the connection is clean.
  void ResetAll() {
    for (auto& [sql, statement] : statements_) {
      try {
        statement->reset();
      } catch (const SQLite::Exception&) {
        // The error was already reported to the caller; reset repeats it.
      }
    }
  }

  static constexpr std::size_t kRows = 100;  // rows per multi-row INSERT of InsertRows

  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> statements_;
};

SqliteStore::SqliteStore(SqliteSettings settings) : settings_(std::move(settings)) {
  // SQLite's memory statistics take one process-wide mutex on every allocation, which the
  // pool's connections then contend for. Only possible before SQLite initialises (the first
  // store of the process); later calls are refused, harmlessly.
  static std::once_flag once;
  std::call_once(once, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
}
SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wanted_.notify_one();
  if (checkpointer_.joinable()) checkpointer_.join();
}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(SqliteSettings settings) {
  if (settings.pool_size == 0) settings.pool_size = 1;
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(settings)));
  try {
    for (std::size_t i = 0; i < store->settings_.pool_size; ++i) {
      store->idle_.push_back(std::make_unique<Connection>(store->settings_));
      // Replaces SQLite's checkpoint inside the commit (wal_autocheckpoint) with ours.
      sqlite3_wal_hook(store->idle_.back()->Handle(), &SqliteStore::OnWalCommit, store.get());
    }
    store->checkpointer_ = std::thread(&SqliteStore::Checkpoints, store.get());
  } catch (const SQLite::Exception& e) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot open SQLite database {}: {}", store->settings_.path, e.what()));
  }
  return store;
}

std::unique_ptr<SqliteStore::Connection> SqliteStore::Borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty(); });
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void SqliteStore::Return(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

// A connection of the pool, given back when the lease ends.
class SqliteStore::Lease {
 public:
  explicit Lease(SqliteStore& store) : store_(store), connection_(store.Borrow()) {}
  ~Lease() { store_.Return(std::move(connection_)); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  Connection& operator*() { return *connection_; }
  Connection* operator->() { return connection_.get(); }

 private:
  SqliteStore& store_;
  std::unique_ptr<Connection> connection_;
};

struct SqliteStore::Write {
  const std::function<Status(Session&)>* work;
  Status outcome;
  std::exception_ptr thrown;
  bool done = false;
};

Status SqliteStore::Transaction(const std::function<Status(Session&)>& work, TransactionMode mode) {
  if (mode == TransactionMode::kWrite) {
    // SQLite has one writer at a time. Writers of this process queue here and the first of them
    // runs the whole queue as one group (see the header), instead of each sleeping in SQLite's
    // busy handler (which backs off up to 100 ms between tries); other processes still meet the
    // busy timeout. Waiting writers hold no connection, leaving the pool to readers.
    Write write{.work = &work};
    std::unique_lock lock(writes_mutex_);
    writes_.push_back(&write);
    while (!write.done) {
      if (committing_) {
        writes_done_.wait(lock);
        continue;
      }
      committing_ = true;
      const std::size_t taken = std::min(writes_.size(), kMaxGroup);
      std::vector<Write*> group(writes_.begin(), writes_.begin() + taken);
      writes_.erase(writes_.begin(), writes_.begin() + taken);
      lock.unlock();
      Commit(group);
      lock.lock();
      for (Write* member : group) member->done = true;
      committing_ = false;
      writes_done_.notify_all();
    }
    if (write.thrown) std::rethrow_exception(write.thrown);
    return std::move(write.outcome);
  }
  Lease connection(*this);

  if (mode == TransactionMode::kNone) return work(*connection);
  if (auto begun = connection->Exec("BEGIN", {}); !begun) return Fail(begun.error());
  Status result;
  try {
    result = work(*connection);
  } catch (...) {
    (void)connection->Exec("ROLLBACK", {});
    throw;
  }
  (void)connection->Exec(result ? "COMMIT" : "ROLLBACK", {});
  return result;
}

void SqliteStore::Commit(const std::vector<Write*>& group) {
  Lease connection(*this);
  Connection& session = *connection;
  std::size_t next = 0;
  while (next < group.size()) {
    if (auto begun = session.Exec("BEGIN IMMEDIATE", {}); !begun) {
      for (; next < group.size(); ++next) group[next]->outcome = Fail(begun.error());
      return;
    }
    // A lone write needs no savepoint: its transaction is its own.
    const bool alone = group.size() - next == 1;
    std::vector<Write*> kept;  // done, and waiting for the COMMIT
    bool lost = false;         // SQLite rolled the transaction back itself
    for (; next < group.size() && !lost; ++next) {
      Write& write = *group[next];
      if (!alone) {
        if (auto saved = session.Exec("SAVEPOINT grouped_write", {}); !saved) {
          write.outcome = Fail(saved.error());
          lost = session.InAutocommit();
          continue;
        }
      }
      try {
        write.outcome = (*write.work)(session);
      } catch (...) {
        write.thrown = std::current_exception();
      }
      const bool ok = !write.thrown && write.outcome;
      if (session.InAutocommit()) {
        // An I/O error, a full disk or the like ended the transaction: the writes before this
        // one in it are gone too.
        lost = true;
        const Error gone{ErrorCode::kUnavailable,
                         "the database rolled the transaction back; retry"};
        for (Write* before : kept) before->outcome = Fail(gone);
        if (ok) write.outcome = Fail(gone);
        kept.clear();
        continue;
      }
      if (!alone && !ok) {
        (void)session.Exec("ROLLBACK TO SAVEPOINT grouped_write", {});
      }
      if (!alone) (void)session.Exec("RELEASE SAVEPOINT grouped_write", {});
      if (ok) kept.push_back(&write);
    }
    if (lost) continue;  // the rest in a new transaction
    if (kept.empty()) {
      (void)session.Exec("ROLLBACK", {});
    } else if (auto committed = session.Exec("COMMIT", {}); !committed) {
      (void)session.Exec("ROLLBACK", {});
      for (Write* write : kept) write->outcome = Fail(committed.error());
    }
  }
}

int SqliteStore::OnWalCommit(void* store, sqlite3* db, const char*, int pages) {
  auto* self = static_cast<SqliteStore*>(store);
  // Every kCheckpointPages new pages, as SQLite would (checkpointing more often copies the pages
  // that every commit rewrites, such as the last page of an index, again and again). Hooks run
  // after the commit, so two may overlap: at worst one checkpoint too many or too few.
  int mark = self->pages_at_checkpoint_.load(std::memory_order_relaxed);
  if (pages < mark) mark = 0;  // the WAL restarted
  if (pages - mark < kCheckpointPages) {
    self->pages_at_checkpoint_.store(mark, std::memory_order_relaxed);
    return SQLITE_OK;
  }
  self->pages_at_checkpoint_.store(pages, std::memory_order_relaxed);
  if (pages >= kCheckpointPages * 8) {
    // Writers outrun the checkpointer: this commit checkpoints itself, as SQLite would, so that
    // the WAL (which every read searches) stays bounded.
    (void)sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else {
    {
      std::lock_guard lock(self->checkpoint_mutex_);
      self->checkpoint_due_ = true;
    }
    self->checkpoint_wanted_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::Checkpoints() {
  std::unique_ptr<Connection> own;  // opened at the first checkpoint
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_wanted_.wait(lock, [&] { return checkpoint_due_ || stopping_; });
    if (stopping_) return;
    checkpoint_due_ = false;
    lock.unlock();
    try {
      if (!own) own = std::make_unique<Connection>(settings_);
      // Passive: copies what no reader still needs, alongside readers and the writer. A failure
      // (a busy database) is retried at the next commit past the threshold.
      (void)sqlite3_wal_checkpoint_v2(own->Handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                      nullptr);
    } catch (const SQLite::Exception&) {
      own.reset();
    }
    lock.lock();
  }
}

Result<Rows> SqliteStore::Query(std::string_view sql, const Params& params) {
  return Lease(*this)->Query(sql, params);
}

Result<std::int64_t> SqliteStore::Exec(std::string_view sql, const Params& params) {
  return Lease(*this)->Exec(sql, params);
}

Status SqliteStore::Each(std::string_view sql, const Params& params, std::size_t batch,
                         const std::function<Status(Rows& rows)>& take) {
  // The query steps on a thread of its own, on a connection of its own, up to two batches ahead of
  // `take`, as PostgreSQL's server goes on producing rows: reading and what `take` does overlap.
  struct Channel {
    std::mutex mutex;
    std::condition_variable changed;
    std::deque<Rows> ready;
    bool done = false;  // the reader has ended
    bool stop = false;  // `take` failed: the reader stops at its next batch
    Status outcome;     // the reader's
  } channel;
  std::thread reader([&] {
    Status read;
    try {
      Connection own(settings_);
      // A deferred transaction: one snapshot, taken at the first read.
      if (auto begun = own.Exec("BEGIN", {}); !begun) read = Fail(begun.error());
      if (read) {
        read = own.Each(sql, params, batch, [&](Rows& rows) -> Status {
          Rows out{.columns = rows.columns, .rows = std::move(rows.rows)};
          rows.rows = {};
          rows.rows.reserve(batch);
          std::unique_lock lock(channel.mutex);
          channel.changed.wait(lock, [&] { return channel.ready.size() < 2 || channel.stop; });
          if (channel.stop) return Fail(ErrorCode::kConflict, "the reading was stopped");
          channel.ready.push_back(std::move(out));
          channel.changed.notify_all();
          return {};
        });
        (void)own.Exec(read ? "COMMIT" : "ROLLBACK", {});
      }
    } catch (const SQLite::Exception& e) {
      read = Fail(ErrorCode::kUnavailable,
                  fmt::format("cannot open SQLite database {}: {}", settings_.path, e.what()));
    }
    std::lock_guard lock(channel.mutex);
    channel.outcome = std::move(read);
    channel.done = true;
    channel.changed.notify_all();
  });
  Status taken;
  for (;;) {
    Rows rows;
    {
      std::unique_lock lock(channel.mutex);
      channel.changed.wait(lock, [&] { return !channel.ready.empty() || channel.done; });
      if (channel.ready.empty()) break;
      rows = std::move(channel.ready.front());
      channel.ready.pop_front();
      channel.changed.notify_all();
    }
    taken = take(rows);
    if (!taken) {
      std::lock_guard lock(channel.mutex);
      channel.stop = true;
      channel.changed.notify_all();
      break;
    }
  }
  reader.join();
  if (!taken) return taken;
  return channel.outcome;
}

Status SqliteStore::Ping() {
  auto rows = Query("SELECT 1", {});
  if (!rows) return Fail(ErrorCode::kUnavailable, rows.error().message);
  return {};
}

std::string SqliteStore::Describe() const { return "sqlite:" + settings_.path; }

std::unique_ptr<Held> SqliteStore::Listen(std::string, std::function<void(std::string_view)>) {
  return nullptr;
}

Result<std::unique_ptr<Held>> SqliteStore::TryHoldLock(std::int64_t) {
  return Fail(ErrorCode::kUnavailable, "SQLite has no session locks: use a lease row");
}

}  // namespace maestro::store
