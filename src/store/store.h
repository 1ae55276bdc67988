// Store: the storage seam. SqliteStore and PostgresStore implement it and pass one conformance
// suite (tests/integration/store_conformance_test.cpp).
//
// SQL is written once with `?` placeholders; backends translate (PostgreSQL: $1, $2, …). Dialect
// differences that SQL text cannot hide (JSON access, types in DDL) go through the helpers below,
// which take identifiers from code, never from input. All values are bound, never spliced.
//
// Thread safety: a Store is shared by all threads; a Session belongs to one thread for the
// duration of one Transaction() call.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "store/value.h"

namespace maestro::store {

enum class Dialect { kSqlite, kPostgres };

// Read transactions see one consistent snapshot and never wait for the write lock (SQLite: a
// deferred BEGIN in WAL mode; PostgreSQL: REPEATABLE READ READ ONLY, which never fails to
// serialise). Write transactions serialise writers.
// kNone: no transaction at all, each statement stands alone on one borrowed connection — for a
// few reads that need no common snapshot, saving BEGIN and COMMIT (two round trips on PostgreSQL).
enum class TransactionMode { kWrite, kRead, kNone };

// One connection, borrowed for a transaction.
class Session {
 public:
  virtual ~Session() = default;
  virtual Dialect dialect() const = 0;
  // Runs one statement and returns its rows (empty for statements without results).
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one statement; returns the number of rows it changed.
  virtual Result<std::int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;
  // Runs several ;-separated statements without parameters (migrations).
  virtual Status ExecScript(std::string_view sql) = 0;
  // Inserts rows into `table`: `values` holds the values of each row in the order of `columns`,
  // row after row. Much faster than one INSERT per row for thousands of rows (PostgreSQL: COPY …
  // FROM STDIN; SQLite: multi-row INSERTs prepared once). All rows or none, within the
  // transaction. REQUIRES: `table` and `columns` are identifiers from code; values.size() is a
  // multiple of columns.size().
  virtual Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                            const Params& values) = 0;
  // Store::ChangeMark, for a transaction: valid only before its first statement (PostgreSQL takes
  // a REPEATABLE READ snapshot at the first statement, after the mark).
  virtual std::optional<std::string> ChangeMark() { return std::nullopt; }
};

// A connection of its own that Store::Listen or Store::TryHoldLock keeps open; closing it (the
// destructor) ends what it holds.
class Held {
 public:
  virtual ~Held() = default;
  // False once the connection was lost (and with it a lock it held).
  virtual bool Alive() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  virtual Dialect dialect() const = 0;

  // Runs `work` in one transaction on one connection. Commits when it succeeds; rolls back when it
  // returns an error or throws (the exception is rethrown). Writers are serialised on SQLite
  // (BEGIN IMMEDIATE) and use READ COMMITTED on PostgreSQL.
  virtual Status Transaction(const std::function<Status(Session&)>& work,
                             TransactionMode mode = TransactionMode::kWrite) = 0;

  // One statement outside any explicit transaction.
  virtual Result<Rows> Query(std::string_view sql, const Params& params = {}) = 0;
  // Runs one read-only query in one snapshot and hands its rows to `take` in batches of at most
  // `batch` rows, so that a result of any size is read holding one batch. It runs on a connection
  // of its own, outside the pool, so `take` may use the store meanwhile (write what it read)
  // without waiting for a connection that this read holds; on PostgreSQL the server goes on
  // producing rows while `take` works (libpq's single-row mode). Stops at the first error of
  // `take` and returns it. kUnavailable when no connection can be made.
  virtual Status Each(std::string_view sql, const Params& params, std::size_t batch,
                      const std::function<Status(Rows& rows)>& take) = 0;
  virtual Result<std::int64_t> Exec(std::string_view sql, const Params& params = {}) = 0;

  // A text that changes whenever records, relations, grants, team memberships, users, teams' names
  // or API tokens may have changed, known without asking the database; nullopt when only the
  // database can tell. PostgreSQL: this process's own commits count at once, other processes' when
  // their notification arrives (milliseconds), and while the listener is down there is no mark.
  virtual std::optional<std::string> ChangeMark() { return std::nullopt; }

  // Cheap round trip to the database; kUnavailable when it does not answer.
  virtual Status Ping() = 0;
  // Where the data lives, with any password removed ("sqlite:data/maestro.db").
  virtual std::string Describe() const = 0;

  // Calls `deliver` on a thread of its own with each payload that Notify() sends on `channel`,
  // from any process using the same database, until the handle is destroyed. PostgreSQL: LISTEN
  // on a dedicated connection, reconnected after a failure (payloads sent meanwhile are lost).
  // SQLite: nullptr, as one process owns the database. `channel` is any text.
  virtual std::unique_ptr<Held> Listen(std::string channel,
                                       std::function<void(std::string_view payload)> deliver) = 0;
  // A database-wide lock that lasts as long as the handle and its connection: a PostgreSQL session
  // advisory lock on a dedicated connection, released by the server when the process dies.
  // nullptr when another holder has it. SQLite: kUnavailable (use a lease row instead).
  virtual Result<std::unique_ptr<Held>> TryHoldLock(std::int64_t key) = 0;
};

// Sends `payload` to the Listen()ers of `channel` when the session's transaction commits
// (pg_notify, at most ~7,900 bytes). Nothing on SQLite.
Status Notify(Session& session, std::string_view channel, std::string_view payload);

// Serialises transactions that take the same key, until they end: pg_advisory_xact_lock on
// PostgreSQL; nothing on SQLite, whose write transactions are serialised already.
Status LockTransaction(Session& session, std::int64_t key);

// Runs `work` with PostgreSQL joining without nested loops, then gives the planner its default
// back for the rest of the transaction. Conditions on JSON fields have no statistics, so the
// planner guesses one matching row where there are thousands and nests a loop over the caller's
// readable set for each (27 s instead of 80 ms, measured on 100k records); queries that join all
// readable records with filtered ones (list totals, aggregates) run inside this. Reads by ids
// after it (a page's relations) keep their index lookups: without nested loops they hash whole
// tables (250 ms instead of 2 ms for the relations of 50 servers, measured). On SQLite, `work`
// alone.
Status WithoutNestedLoops(Session& session, const std::function<Status()>& work);

// One page of the rows of `from` (a table and its condition: "jobs WHERE owner_id = ?") in
// `order`, with the count of all of them, read in one snapshot. `page` counts from 1.
struct Page {
  Rows rows;
  std::int64_t total = 0;
};
Result<Page> ReadPage(Store& store, std::string_view columns, std::string_view from,
                      const Params& params, std::string_view order, int page, int limit);

// " FOR UPDATE" on PostgreSQL (row lock for read-modify-write), "" on SQLite (whose write
// transactions hold the database lock already).
std::string_view ForUpdate(Dialect dialect);

// SQL text of a JSON document field as text: JsonText(d, "doc", {"os", "base"}).
// REQUIRES: column and path parts are identifiers from code ([a-z0-9_]).
std::string JsonText(Dialect dialect, std::string_view column,
                     std::initializer_list<std::string_view> path);
// The placeholder for a JSON document parameter ("?" on SQLite, "?::jsonb" on PostgreSQL).
std::string_view JsonParam(Dialect dialect);
// Rewrites `?` placeholders outside quotes to $1, $2, … (PostgreSQL).
std::string NumberPlaceholders(std::string_view sql);

}  // namespace maestro::store
