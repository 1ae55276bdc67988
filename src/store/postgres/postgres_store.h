// PostgresStore: the scaled-out backend, on libpq. A pool of up to `pool_size` connections opened
// on demand; statements prepared once per connection; broken connections are reset on their next
// use. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace maestro::store {

struct PostgresSettings {
  std::string uri;            // postgresql://user:password@host:port/db?options
  std::size_t pool_size = 8;  // connections at most
  int connect_timeout_s = 5;
};

class PostgresStore final : public Store {
 public:
  // Connects once to check the settings. kUnavailable (password removed) when it cannot.
  static Result<std::unique_ptr<PostgresStore>> Open(PostgresSettings settings);
  ~PostgresStore() override;

  Dialect dialect() const override { return Dialect::kPostgres; }
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
  // Counts this process's commits, and the notifications of changes (migration 12's triggers)
  // that a listener of its own hears from every process.
  std::optional<std::string> ChangeMark() override;

  class Connection;

 private:
  explicit PostgresStore(PostgresSettings settings);
  Result<std::unique_ptr<Connection>> Borrow();
  void Return(std::unique_ptr<Connection> connection);
  void ListenForChanges();

  const PostgresSettings settings_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_ = 0;                    // connections alive, idle or borrowed
  std::atomic<std::uint64_t> listens_ = 0;  // times the listener (re)connected
  std::atomic<std::uint64_t> heard_ = 0;    // notifications it heard
  std::unique_ptr<Held> changes_;           // last: stops before what it counts goes
};

}  // namespace maestro::store
