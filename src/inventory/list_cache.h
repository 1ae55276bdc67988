// Results of list queries — the number of matches and the first ids in order (all of them when
// there are few enough) — and rendered pages of lists or search answers, kept while nothing they
// could see has changed. Each entry carries the generation of
// the data it was computed from (read in the same snapshot: SQLite's change counter, PostgreSQL's
// snapshot); a lookup with another generation misses. Bounded in entries and in ids: when full, it
// starts afresh. Thread-safe.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/error.h"
#include "store/store.h"
#include "store/value.h"

namespace maestro::inventory {

class ListCache {
 public:
  struct Entry {
    std::int64_t count = 0;
    // The first matches in order: all of them when ids->size() == count. Null when not kept.
    std::shared_ptr<const std::vector<std::string>> ids;
    // A rendered page (the records as a list shows them, serialised as a JSON array), under a
    // page's key. Null otherwise.
    std::shared_ptr<const std::string> items;
  };

  // At most `capacity` entries holding at most `max_ids` ids in all (~60 bytes each); rendered
  // pages count kBytesPerId bytes as one id.
  static constexpr std::size_t kBytesPerId = 60;
  explicit ListCache(std::size_t capacity = 2048, std::size_t max_ids = 250000)
      : capacity_(capacity), max_ids_(max_ids) {}

  // What the session's snapshot sees, as a string that changes whenever anything it could see
  // changes: the store's change mark when it has one (PostgreSQL with its listener); else on
  // SQLite the change counter kept by triggers, on PostgreSQL the snapshot itself (xmin:xmax:
  // in-progress ids) — two REPEATABLE READ snapshots with the same text see exactly the same
  // committed transactions, in any process. Read before anything else in the transaction.
  static Result<std::string> Generation(store::Session& session);
  // The generation as one statement outside any transaction sees it: what was kept under it is
  // current. A miss is then read in one snapshot, with its own generation.
  static Result<std::string> CurrentGeneration(store::Store& store);

  // The key of a query: its SQL and every parameter, typed.
  static std::string Key(const std::string& sql, const store::Params& params);
  // The key of one page of the list of `list_key`.
  static std::string PageKey(const std::string& list_key, std::int64_t offset, std::int64_t limit);

  std::optional<Entry> Find(const std::string& key, const std::string& generation) const;
  void Put(const std::string& key, const std::string& generation, Entry entry);
  // Find, or else make the entry with `make` and Put it, one caller at a time: callers missing
  // the same key and generation meanwhile wait for that entry instead of making it too (a list
  // opened by many at once, or by all of them again after a change, is computed once). A failed
  // `make` is each caller's own: the next waiter makes it in turn.
  Result<Entry> FindOrMake(const std::string& key, const std::string& generation,
                           const std::function<Result<Entry>()>& make);
  // The entry of `key` for the data as it is now: kept under the current generation (which alone
  // is read), or else made by `make` in one read transaction of `store`, under that transaction's
  // generation (FindOrMake).
  Result<Entry> Current(store::Store& store, const std::string& key,
                        const std::function<Result<Entry>(store::Session& session)>& make);

 private:
  struct Kept {
    std::string generation;
    Entry entry;
  };
  struct Making;  // an entry being made, and its waiters
  void Finish(const std::string& key, const std::shared_ptr<Making>& making);
  const std::size_t capacity_;
  const std::size_t max_ids_;
  mutable std::mutex mutex_;
  std::size_t ids_ = 0;  // ids held by all entries
  std::unordered_map<std::string, Kept> entries_;
  std::unordered_map<std::string, std::shared_ptr<Making>> making_;
};

}  // namespace maestro::inventory
