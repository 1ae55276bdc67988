// Results of list queries — the number of matches and, when there are few enough, all their ids
// in order — kept while nothing they could see has changed. Each entry carries the generation of
// the data it was computed from (read in the same snapshot: SQLite's change counter, PostgreSQL's
// snapshot); a lookup with another generation misses. Bounded in entries and in ids: when full, it
// starts afresh. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/value.h"

namespace maestro::inventory {

class ListCache {
 public:
  struct Entry {
    std::int64_t count = 0;
    std::shared_ptr<const std::vector<std::string>> ids;  // null when not kept
  };

  // At most `capacity` entries holding at most `max_ids` ids in all (~60 bytes each).
  explicit ListCache(std::size_t capacity = 2048, std::size_t max_ids = 250000)
      : capacity_(capacity), max_ids_(max_ids) {}

  // The key of a query: its SQL and every parameter, typed.
  static std::string Key(const std::string& sql, const store::Params& params);

  std::optional<Entry> Find(const std::string& key, const std::string& generation) const;
  void Put(const std::string& key, const std::string& generation, Entry entry);

 private:
  struct Kept {
    std::string generation;
    Entry entry;
  };
  const std::size_t capacity_;
  const std::size_t max_ids_;
  mutable std::mutex mutex_;
  std::size_t ids_ = 0;  // ids held by all entries
  std::unordered_map<std::string, Kept> entries_;
};

}  // namespace maestro::inventory
