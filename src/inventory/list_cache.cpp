#include "inventory/list_cache.h"

#include <fmt/format.h>

namespace maestro::inventory {
namespace {

const char* GenerationSql(store::Dialect dialect) {
  return dialect == store::Dialect::kSqlite
             ? "SELECT CAST(n AS TEXT) AS g FROM changes WHERE id = 1"
             : "SELECT CAST(pg_current_snapshot() AS TEXT) AS g";
}

Result<std::string> GenerationOf(const Result<store::Rows>& rows) {
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kInternal, "the change counter is missing");
  return store::AsString(rows->At(0, "g"));
}

}  // namespace

// (A mark the store keeps in memory, when it has one, saves the statement: see Store::ChangeMark.)
Result<std::string> ListCache::Generation(store::Session& session) {
  if (auto mark = session.ChangeMark()) return *mark;
  return GenerationOf(session.Query(GenerationSql(session.dialect())));
}

Result<std::string> ListCache::CurrentGeneration(store::Store& store) {
  if (auto mark = store.ChangeMark()) return *mark;
  return GenerationOf(store.Query(GenerationSql(store.dialect())));
}

Result<ListCache::Entry> ListCache::Current(
    store::Store& store, const std::string& key,
    const std::function<Result<Entry>(store::Session& session)>& make) {
  auto now = CurrentGeneration(store);
  if (!now) return Fail(now.error());
  if (auto kept = Find(key, *now)) return *kept;
  Result<Entry> entry = Fail(ErrorCode::kInternal, "not read");
  auto done = store.Transaction(
      [&](store::Session& session) -> Status {
        auto generation = Generation(session);  // first: before the snapshot
        if (!generation) return Fail(generation.error());
        entry = FindOrMake(key, *generation, [&] { return make(session); });
        return {};
      },
      store::TransactionMode::kRead);
  if (!done) return Fail(done.error());
  return entry;
}

std::string ListCache::Key(const std::string& sql, const store::Params& params) {
  std::string key = sql;
  for (const auto& param : params) {
    key += '\x1f';
    std::visit(
        [&](const auto& value) {
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::nullptr_t>) {
            key += 'n';
          } else if constexpr (std::is_same_v<T, bool>) {
            key += value ? "bt" : "bf";
          } else if constexpr (std::is_same_v<T, std::string>) {
            key += fmt::format("s{}:{}", value.size(), value);  // sized: no separator confusion
          } else {
            key += fmt::format("{}{}", std::is_same_v<T, double> ? 'd' : 'i', value);
          }
        },
        param);
  }
  return key;
}

std::string ListCache::PageKey(const std::string& list_key, std::int64_t offset,
                               std::int64_t limit) {
  return fmt::format("{}\x1epage:{}:{}", list_key, offset, limit);
}

std::optional<ListCache::Entry> ListCache::Find(const std::string& key,
                                                const std::string& generation) const {
  std::lock_guard lock(mutex_);
  const auto found = entries_.find(key);
  if (found == entries_.end() || found->second.generation != generation) return std::nullopt;
  return found->second.entry;
}

namespace {

std::size_t SizeOf(const ListCache::Entry& entry) {
  return (entry.ids ? entry.ids->size() : 0) +
         (entry.items ? entry.items->size() / ListCache::kBytesPerId : 0);
}

}  // namespace

struct ListCache::Making {
  std::string generation;
  bool done = false;
  std::condition_variable finished;
};

Result<ListCache::Entry> ListCache::FindOrMake(const std::string& key,
                                               const std::string& generation,
                                               const std::function<Result<Entry>()>& make) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (const auto found = entries_.find(key);
        found != entries_.end() && found->second.generation == generation) {
      return found->second.entry;
    }
    const auto making = making_.find(key);
    if (making == making_.end() || making->second->generation != generation) break;
    const std::shared_ptr<Making> other = making->second;  // kept alive while waiting
    other->finished.wait(lock, [&] { return other->done; });
  }
  auto mine = std::make_shared<Making>();
  mine->generation = generation;
  making_[key] = mine;
  lock.unlock();
  Result<Entry> made = Fail(ErrorCode::kInternal, "the list was not made");
  try {
    made = make();
  } catch (...) {
    Finish(key, mine);
    throw;
  }
  if (made) Put(key, generation, *made);
  Finish(key, mine);
  return made;
}

void ListCache::Finish(const std::string& key, const std::shared_ptr<Making>& making) {
  std::lock_guard lock(mutex_);
  if (auto found = making_.find(key); found != making_.end() && found->second == making) {
    making_.erase(found);
  }
  making->done = true;
  making->finished.notify_all();
}

void ListCache::Put(const std::string& key, const std::string& generation, Entry entry) {
  const std::size_t size = SizeOf(entry);
  if (size > max_ids_) return;
  std::lock_guard lock(mutex_);
  if (auto found = entries_.find(key); found != entries_.end()) {
    ids_ -= SizeOf(found->second.entry);
    entries_.erase(found);
  }
  if (entries_.size() >= capacity_ || ids_ + size > max_ids_) {
    entries_.clear();
    ids_ = 0;
  }
  ids_ += size;
  entries_[key] = {generation, std::move(entry)};
}

}  // namespace maestro::inventory
