#include "store/postgres/postgres_store.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <libpq-fe.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <thread>
#include <unordered_map>
#include <utility>

#include "store/open.h"

namespace maestro::store {
namespace {

// Type OIDs from the server's pg_type catalogue (stable across versions).
constexpr Oid kBoolOid = 16, kInt8Oid = 20, kInt2Oid = 21, kInt4Oid = 23, kFloat4Oid = 700,
              kFloat8Oid = 701, kNumericOid = 1700;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

void IgnoreNotice(void*, const char*) {}

std::string TrimMessage(const char* text) {
  std::string message = text ? text : "";
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

Error ErrorFromResult(const PGresult* result, PGconn* connection) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string message =
      TrimMessage(result ? PQresultErrorMessage(result) : PQerrorMessage(connection));
  if (state == nullptr || PQstatus(connection) != CONNECTION_OK) {
    return Error{ErrorCode::kUnavailable, "database unavailable: " + message};
  }
  const std::string_view sqlstate = state;
  if (sqlstate == "23505") return Error{ErrorCode::kConflict, "duplicate key: " + message};
  if (sqlstate.starts_with("23"))
    return Error{ErrorCode::kConflict, "constraint failed: " + message};
  if (sqlstate.starts_with("08") || sqlstate == "57P01" || sqlstate == "57P03") {
    return Error{ErrorCode::kUnavailable, "database unavailable: " + message};
  }
  return Error{ErrorCode::kInternal, fmt::format("database error {}: {}", sqlstate, message)};
}

std::string ParamText(const Value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return {};
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{}", v);  // shortest text that reads back exactly
        } else {
          return v;
        }
      },
      value);
}

// Parameters as libpq takes them: texts, with a null pointer for each NULL. Built in place and
// kept while the statement runs (the pointers are into its texts).
class ParamTexts {
 public:
  explicit ParamTexts(const Params& params) {
    texts_.reserve(params.size());
    for (const Value& value : params) texts_.push_back(ParamText(value));
    pointers_.reserve(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
      pointers_.push_back(IsNull(params[i]) ? nullptr : texts_[i].c_str());
    }
  }
  ParamTexts(const ParamTexts&) = delete;
  ParamTexts& operator=(const ParamTexts&) = delete;
  int count() const { return static_cast<int>(pointers_.size()); }
  const char* const* data() const { return pointers_.data(); }

 private:
  std::vector<std::string> texts_;
  std::vector<const char*> pointers_;
};

Value CellValue(const PGresult* result, int row, int column) {
  if (PQgetisnull(result, row, column)) return nullptr;
  const char* text = PQgetvalue(result, row, column);
  const std::size_t length = static_cast<std::size_t>(PQgetlength(result, row, column));
  switch (PQftype(result, column)) {
    case kBoolOid:
      return text[0] == 't';
    case kInt2Oid:
    case kInt4Oid:
    case kInt8Oid: {
      std::int64_t out = 0;
      std::from_chars(text, text + length, out);
      return out;
    }
    case kFloat4Oid:
    case kFloat8Oid:
    case kNumericOid: {
      double out = 0;
      std::from_chars(text, text + length, out);
      return out;
    }
    default:
      return std::string(text, length);
  }
}

// Writes of this process, counted in ChangeMark once committed (a write transaction that changed
// rows, or a statement outside a transaction that did): a process sees its own changes at once,
// before its listener hears of them.
std::atomic<std::uint64_t> own_commits = 0;

// The channel migration 12's triggers notify of changes.
constexpr std::string_view kChangesChannel = "maestro_changes";

}  // namespace

class PostgresStore::Connection final : public Session {
 public:
  Connection(PGconn* connection, PostgresStore& store) : connection_(connection), store_(store) {
    PQsetNoticeProcessor(connection_, IgnoreNotice, nullptr);
  }
  ~Connection() override { PQfinish(connection_); }

  Dialect dialect() const override { return Dialect::kPostgres; }
  bool healthy() const { return PQstatus(connection_) == CONNECTION_OK; }
  void Reset() {
    PQreset(connection_);
    prepared_.clear();
  }

  Result<Rows> Query(std::string_view sql, const Params& params) override {
    auto result = Run(sql, params);
    if (!result) return Fail(result.error());
    Rows rows;
    const PGresult* raw = result->get();
    const int columns = PQnfields(raw);
    const int count = PQntuples(raw);
    rows.columns.reserve(columns);
    for (int c = 0; c < columns; ++c) rows.columns.emplace_back(PQfname(raw, c));
    rows.rows.reserve(count);
    for (int r = 0; r < count; ++r) {
      auto& row = rows.rows.emplace_back();
      row.reserve(columns);
      for (int c = 0; c < columns; ++c) row.push_back(CellValue(raw, r, c));
    }
    return rows;
  }

  std::optional<std::string> ChangeMark() override { return store_.ChangeMark(); }
  // Whether the transaction under way wrote rows; forgets it.
  bool TakeWrote() { return std::exchange(wrote_, false); }

  Result<std::int64_t> Exec(std::string_view sql, const Params& params) override {
    auto result = Run(sql, params);
    if (!result) return Fail(result.error());
    const char* changed = PQcmdTuples(result->get());
    std::int64_t out = 0;
    std::from_chars(changed, changed + std::strlen(changed), out);
    if (out > 0) Wrote();
    return out;
  }

  Status ExecScript(std::string_view sql) override {
    PgResult result(PQexec(connection_, std::string(sql).c_str()));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Fail(ErrorFromResult(result.get(), connection_));
    }
    return {};
  }

  Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                    const Params& values) override {
    if (columns.empty() || values.empty()) return {};
    const std::string sql = fmt::format("COPY {} ({}) FROM STDIN", table, fmt::join(columns, ", "));
    PgResult started(PQexec(connection_, sql.c_str()));
    if (PQresultStatus(started.get()) != PGRES_COPY_IN) {
      return Fail(ErrorFromResult(started.get(), connection_));
    }
    // COPY's text format: tab between values, a line per row, \N for null, and backslash escapes
    // for backslash, tab, line feed and carriage return.
    std::string buffer;
    buffer.reserve(kCopyBuffer + 4096);
    bool sent = true;
    auto flush = [&] {
      if (sent && !buffer.empty()) {
        sent = PQputCopyData(connection_, buffer.data(), static_cast<int>(buffer.size())) == 1;
      }
      buffer.clear();
    };
    const std::size_t width = columns.size();
    for (std::size_t i = 0; i < values.size() && sent; ++i) {
      const Value& value = values[i];
      if (IsNull(value)) {
        buffer += "\\N";
      } else if (const auto* text = std::get_if<std::string>(&value)) {
        AppendCopyText(*text, buffer);
      } else {
        AppendCopyText(ParamText(value), buffer);
      }
      buffer += (i + 1) % width == 0 ? '\n' : '\t';
      if (buffer.size() >= kCopyBuffer) flush();
    }
    flush();
    if (PQputCopyEnd(connection_, sent ? nullptr : "the rows could not be sent") != 1) {
      sent = false;
    }
    // The outcome, then the end of the results.
    Status outcome;
    bool first = true;
    while (PGresult* raw = PQgetResult(connection_)) {
      PgResult result(raw);
      if (first && PQresultStatus(raw) != PGRES_COMMAND_OK) {
        outcome = Fail(ErrorFromResult(raw, connection_));
      }
      first = false;
    }
    if (outcome && !sent) {
      return Fail(ErrorCode::kUnavailable,
                  "database unavailable: " + TrimMessage(PQerrorMessage(connection_)));
    }
    if (outcome) Wrote();
    return outcome;
  }

 private:
  static constexpr std::size_t kCopyBuffer = 1 << 18;  // bytes sent to COPY at a time

  static void AppendCopyText(std::string_view text, std::string& out) {
    // What each byte becomes after a backslash, or 0 when it stays as it is.
    static constexpr auto kEscapes = [] {
      std::array<char, 256> escapes{};
      escapes['\\'] = '\\';
      escapes['\t'] = 't';
      escapes['\n'] = 'n';
      escapes['\r'] = 'r';
      return escapes;
    }();
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const char escape = kEscapes[static_cast<unsigned char>(text[i])];
      if (escape == 0) continue;
      out.append(text.data() + start, i - start);
      out += '\\';
      out += escape;
      start = i + 1;
    }
    out.append(text.data() + start, text.size() - start);
  }

  Result<PgResult> Run(std::string_view sql, const Params& params) {
    auto it = prepared_.find(std::string(sql));
    if (it == prepared_.end()) {
      const std::string name = fmt::format("s{}", prepared_.size() + 1);
      const std::string text = NumberPlaceholders(sql);
      PgResult prepared(PQprepare(connection_, name.c_str(), text.c_str(), 0, nullptr));
      if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
        return Fail(ErrorFromResult(prepared.get(), connection_));
      }
      it = prepared_.emplace(std::string(sql), name).first;
    }
    const ParamTexts values(params);
    PgResult result(PQexecPrepared(connection_, it->second.c_str(), values.count(), values.data(),
                                   nullptr, nullptr, 0));
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      return Fail(ErrorFromResult(result.get(), connection_));
    }
    return result;
  }

  // A transaction that wrote rows counts once it commits (TakeWrote); a statement outside one, at
  // once. (Rows written through Query, with RETURNING, are jobs' and schedules', which no list
  // shows.)
  void Wrote() {
    if (PQtransactionStatus(connection_) == PQTRANS_IDLE) {
      own_commits.fetch_add(1);
    } else {
      wrote_ = true;
    }
  }

  PGconn* connection_;
  PostgresStore& store_;
  bool wrote_ = false;                                     // in the transaction under way
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

PostgresStore::PostgresStore(PostgresSettings settings) : settings_(std::move(settings)) {}
PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(PostgresSettings settings) {
  if (settings.pool_size == 0) settings.pool_size = 1;
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(settings)));
  auto first = store->Borrow();
  if (!first) return Fail(first.error());
  store->Return(std::move(*first));
  store->ListenForChanges();
  return store;
}

std::optional<std::string> PostgresStore::ChangeMark() {
  if (!changes_ || !changes_->Alive()) return std::nullopt;
  return fmt::format("{}.{}.{}", listens_.load(), heard_.load(), own_commits.load());
}

Result<std::unique_ptr<PostgresStore::Connection>> PostgresStore::Borrow() {
  std::unique_lock lock(mutex_);
  available_.wait(lock, [&] { return !idle_.empty() || open_ < settings_.pool_size; });
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    lock.unlock();
    if (!connection->healthy()) connection->Reset();
    return connection;
  }
  ++open_;
  lock.unlock();
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const std::string timeout = std::to_string(settings_.connect_timeout_s);
  const char* values[] = {settings_.uri.c_str(), timeout.c_str(), "maestro", nullptr};
  PGconn* raw = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string message = TrimMessage(PQerrorMessage(raw));
    PQfinish(raw);
    {
      std::lock_guard relock(mutex_);
      --open_;
    }
    available_.notify_one();
    return Fail(ErrorCode::kUnavailable, fmt::format("cannot connect to PostgreSQL at {}: {}",
                                                     RedactUri(settings_.uri), message));
  }
  return std::make_unique<Connection>(raw, *this);
}

void PostgresStore::Return(std::unique_ptr<Connection> connection) {
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

Status PostgresStore::Transaction(const std::function<Status(Session&)>& work,
                                  TransactionMode mode) {
  auto borrowed = Borrow();
  if (!borrowed) return Fail(borrowed.error());
  std::unique_ptr<Connection> connection = std::move(*borrowed);
  struct Giveback {
    PostgresStore* store;
    std::unique_ptr<Connection>& connection;
    ~Giveback() { store->Return(std::move(connection)); }
  } giveback{this, connection};

  if (mode == TransactionMode::kNone) return work(*connection);
  (void)connection->TakeWrote();  // what an earlier transaction rolled back
  if (auto begun = connection->ExecScript(mode == TransactionMode::kRead
                                              ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                              : "BEGIN");
      !begun) {
    return begun;
  }
  Status result;
  try {
    result = work(*connection);
  } catch (...) {
    (void)connection->ExecScript("ROLLBACK");
    throw;
  }
  if (!result) {
    (void)connection->ExecScript("ROLLBACK");
    return result;
  }
  if (auto committed = connection->ExecScript("COMMIT"); !committed) {
    (void)connection->ExecScript("ROLLBACK");
    return committed;
  }
  if (connection->TakeWrote()) own_commits.fetch_add(1);
  return {};
}

Result<Rows> PostgresStore::Query(std::string_view sql, const Params& params) {
  auto connection = Borrow();
  if (!connection) return Fail(connection.error());
  auto rows = (*connection)->Query(sql, params);
  Return(std::move(*connection));
  return rows;
}

Result<std::int64_t> PostgresStore::Exec(std::string_view sql, const Params& params) {
  auto connection = Borrow();
  if (!connection) return Fail(connection.error());
  auto changed = (*connection)->Exec(sql, params);
  Return(std::move(*connection));
  return changed;
}

Status PostgresStore::Ping() {
  auto rows = Query("SELECT 1", {});
  if (!rows) return Fail(ErrorCode::kUnavailable, rows.error().message);
  return {};
}

std::string PostgresStore::Describe() const { return RedactUri(settings_.uri); }

namespace {

struct ConnectionDeleter {
  void operator()(PGconn* connection) const { PQfinish(connection); }
};
using PgConnection = std::unique_ptr<PGconn, ConnectionDeleter>;

// A connection outside the pool, for session state (LISTEN, session locks).
Result<PgConnection> ConnectAlone(const PostgresSettings& settings, const char* purpose) {
  const char* keys[] = {"dbname", "connect_timeout", "application_name", nullptr};
  const std::string timeout = std::to_string(settings.connect_timeout_s);
  const std::string name = fmt::format("maestro {}", purpose);
  const char* values[] = {settings.uri.c_str(), timeout.c_str(), name.c_str(), nullptr};
  PgConnection connection(PQconnectdbParams(keys, values, /*expand_dbname=*/1));
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot connect to PostgreSQL at {}: {}", RedactUri(settings.uri),
                            TrimMessage(PQerrorMessage(connection.get()))));
  }
  PQsetNoticeProcessor(connection.get(), IgnoreNotice, nullptr);
  return connection;
}

class PgListener final : public Held {
 public:
  // `connected` runs each time the listener (re)connects, before Alive() says so: payloads sent
  // while it was not listening are lost.
  PgListener(PostgresSettings settings, std::string channel,
             std::function<void(std::string_view)> deliver, std::function<void()> connected = {})
      : settings_(std::move(settings)),
        channel_(std::move(channel)),
        deliver_(std::move(deliver)),
        connected_callback_(std::move(connected)) {
    thread_ = std::thread([this] { Run(); });
  }
  ~PgListener() override {
    stop_ = true;
    const std::uint64_t one = 1;
    if (wake_ >= 0) (void)!write(wake_, &one, sizeof one);  // out of its select at once
    thread_.join();
    if (wake_ >= 0) close(wake_);
  }
  bool Alive() override { return connected_; }

 private:
  // Connects and LISTENs; false (after a pause) when it cannot.
  bool Connect() {
    auto connection = ConnectAlone(settings_, "listener");
    if (connection) {
      char* quoted = PQescapeIdentifier(connection->get(), channel_.data(), channel_.size());
      const std::string sql = fmt::format("LISTEN {}", quoted ? quoted : "\"\"");
      PQfreemem(quoted);
      PgResult result(PQexec(connection->get(), sql.c_str()));
      if (PQresultStatus(result.get()) == PGRES_COMMAND_OK) {
        connection_ = std::move(*connection);
        if (connected_callback_) connected_callback_();
        connected_ = true;
        return true;
      }
    }
    for (int i = 0; i < 20 && !stop_; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return false;
  }

  void Run() {
    while (!stop_) {
      if (!connection_ && !Connect()) continue;
      const int socket = PQsocket(connection_.get());
      fd_set read_set;
      FD_ZERO(&read_set);
      FD_SET(socket, &read_set);
      if (wake_ >= 0) FD_SET(wake_, &read_set);
      timeval wait{.tv_sec = 0, .tv_usec = 200 * 1000};  // then look at stop_ again
      if (select(std::max(socket, wake_) + 1, &read_set, nullptr, nullptr, &wait) < 0 &&
          errno != EINTR) {
        Drop();
        continue;
      }
      if (PQconsumeInput(connection_.get()) == 0 || PQstatus(connection_.get()) != CONNECTION_OK) {
        Drop();
        continue;
      }
      while (PGnotify* note = PQnotifies(connection_.get())) {
        deliver_(note->extra ? std::string_view(note->extra) : std::string_view());
        PQfreemem(note);
      }
    }
  }

  void Drop() {
    connection_.reset();
    connected_ = false;
  }

  const PostgresSettings settings_;
  const std::string channel_;
  const std::function<void(std::string_view)> deliver_;
  const std::function<void()> connected_callback_;
  const int wake_ = eventfd(0, EFD_CLOEXEC);  // written when stopping
  PgConnection connection_;
  std::atomic<bool> connected_ = false;
  std::atomic<bool> stop_ = false;
  std::thread thread_;
};

class PgSessionLock final : public Held {
 public:
  explicit PgSessionLock(PgConnection connection) : connection_(std::move(connection)) {}
  // Asks the server: a lost connection has lost the lock.
  bool Alive() override {
    PgResult result(PQexec(connection_.get(), "SELECT 1"));
    return PQresultStatus(result.get()) == PGRES_TUPLES_OK;
  }

 private:
  PgConnection connection_;
};

}  // namespace

Status PostgresStore::Each(std::string_view sql, const Params& params, std::size_t batch,
                           const std::function<Status(Rows& rows)>& take) {
  batch = std::max<std::size_t>(1, batch);
  auto connection = ConnectAlone(settings_, "reader");
  if (!connection) return Fail(connection.error());
  PGconn* raw = connection->get();
  PgResult begun(PQexec(raw, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  if (PQresultStatus(begun.get()) != PGRES_COMMAND_OK) {
    return Fail(ErrorFromResult(begun.get(), raw));
  }
  const ParamTexts values(params);
  const std::string text = NumberPlaceholders(sql);
  if (PQsendQueryParams(raw, text.c_str(), values.count(), nullptr, values.data(), nullptr, nullptr,
                        0) != 1 ||
      PQsetSingleRowMode(raw) != 1) {
    return Fail(ErrorCode::kUnavailable,
                "database unavailable: " + TrimMessage(PQerrorMessage(raw)));
  }
  // Each row comes as a result of its own; the server goes on sending while `take` works. On an
  // error the connection is closed, which ends the query and its transaction.
  Rows rows;
  rows.rows.reserve(batch);
  while (PGresult* next = PQgetResult(raw)) {
    PgResult result(next);
    const auto status = PQresultStatus(next);
    if (status != PGRES_SINGLE_TUPLE && status != PGRES_TUPLES_OK) {
      return Fail(ErrorFromResult(next, raw));
    }
    if (rows.columns.empty()) {
      for (int c = 0; c < PQnfields(next); ++c) rows.columns.emplace_back(PQfname(next, c));
    }
    if (status == PGRES_TUPLES_OK) continue;  // the end, without a row
    auto& row = rows.rows.emplace_back();
    const int columns = PQnfields(next);
    row.reserve(columns);
    for (int c = 0; c < columns; ++c) row.push_back(CellValue(next, 0, c));
    if (rows.size() == batch) {
      if (auto taken = take(rows); !taken) return taken;
      rows.rows.clear();
    }
  }
  if (!rows.empty()) {
    if (auto taken = take(rows); !taken) return taken;
  }
  PgResult ended(PQexec(raw, "COMMIT"));
  return {};
}

void PostgresStore::ListenForChanges() {
  changes_ = std::make_unique<PgListener>(
      settings_, std::string(kChangesChannel), [this](std::string_view) { heard_.fetch_add(1); },
      [this] { listens_.fetch_add(1); });
}

std::unique_ptr<Held> PostgresStore::Listen(std::string channel,
                                            std::function<void(std::string_view)> deliver) {
  return std::make_unique<PgListener>(settings_, std::move(channel), std::move(deliver));
}

Result<std::unique_ptr<Held>> PostgresStore::TryHoldLock(std::int64_t key) {
  auto connection = ConnectAlone(settings_, "lock");
  if (!connection) return Fail(connection.error());
  const std::string text = std::to_string(key);
  const char* values[] = {text.c_str()};
  PgResult result(PQexecParams(connection->get(), "SELECT pg_try_advisory_lock($1::bigint)", 1,
                               nullptr, values, nullptr, nullptr, 0));
  if (PQresultStatus(result.get()) != PGRES_TUPLES_OK) {
    return Fail(ErrorFromResult(result.get(), connection->get()));
  }
  if (std::string_view(PQgetvalue(result.get(), 0, 0)) != "t") return nullptr;
  return std::unique_ptr<Held>(std::make_unique<PgSessionLock>(std::move(*connection)));
}

}  // namespace maestro::store
