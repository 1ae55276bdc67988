#include "discovery/sync.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/ids.h"
#include "common/json_util.h"

namespace maestro::discovery {

using nlohmann::json;

namespace {

// FNV-1a, 64 bits.
std::string Fnv(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return fmt::format("{:016x}", hash);
}

}  // namespace

// Over the canonical dump (nlohmann sorts object keys).
std::string PayloadChecksum(const json& doc) { return Fnv(doc.dump()); }

json MergeProvided(const json& current, const json& before, const json& after) {
  json merged = current.is_object() ? current : json::object();
  std::set<std::string> keys;
  if (before.is_object()) {
    for (const auto& [key, value] : before.items()) keys.insert(key);
  }
  for (const auto& [key, value] : after.items()) keys.insert(key);
  for (const auto& key : keys) {
    const json old_value = before.is_object() ? before.value(key, json(nullptr)) : json(nullptr);
    const json new_value = after.value(key, json(nullptr));
    if (old_value == new_value) continue;  // the provider did not change it: a person's edit stays
    if (new_value.is_null()) {
      merged.erase(key);
    } else {
      merged[key] = new_value;
    }
  }
  return merged;
}

namespace {

constexpr std::size_t kStatementRows = 100;
constexpr std::size_t kKeptErrors = 20;
constexpr auto kLease = std::chrono::seconds(60);
constexpr auto kLeaseWait = std::chrono::seconds(30);

// What the `discovered` table knows of one record.
struct Known {
  std::string record_id;
  std::string checksum;
  bool orphaned = false;
};

struct Counts {
  std::int64_t created = 0;
  std::int64_t updated = 0;
  std::int64_t unchanged = 0;
  std::int64_t deactivated = 0;
  std::int64_t failed = 0;
  json errors = json::array();

  void Error(const std::string& what) {
    ++failed;
    if (errors.size() < kKeptErrors) errors.push_back(what);
  }
  void Add(const Counts& other) {
    created += other.created;
    updated += other.updated;
    unchanged += other.unchanged;
    deactivated += other.deactivated;
    failed += other.failed;
    for (const auto& error : other.errors) {
      if (errors.size() < kKeptErrors) errors.push_back(error);
    }
  }
  json Json() const {
    return {{"created", created},
            {"updated", updated},
            {"unchanged", unchanged},
            {"deactivated", deactivated},
            {"failed", failed}};
  }
};

// Completes what a connector found: its datacenter (the connection's, and the region listed),
// payload and checksum. A record gone at the provider (terminated) is a change even when its
// fields are not.
void Complete(Found& found, const std::string& datacenter_id, const std::string& region) {
  json& datacenter = found.doc["datacenter"];
  if (!datacenter.is_object()) datacenter = json::object();
  datacenter["id"] = datacenter_id;
  if (!region.empty() && !datacenter.contains("region")) datacenter["region"] = region;
  found.payload = found.doc.dump();
  found.checksum = Fnv(found.payload) + (found.active ? "" : "-gone");
}

bool IsDanger(ErrorCode code) {
  return code == ErrorCode::kUnauthorized || code == ErrorCode::kForbidden;
}

// One sync's state: the connection, who acts, what is known and seen.
class Run {
 public:
  Run(store::Store& store, const Clock& clock, const inventory::Registry& registry,
      inventory::Records& records, const Connection& connection, auth::Principal actor,
      std::string resource)
      : store_(store),
        clock_(clock),
        registry_(registry),
        records_(records),
        connection_(connection),
        actor_(std::move(actor)),
        resource_(std::move(resource)),
        source_("connection:" + connection.id) {}

  Counts counts;

  void StartRegion(const std::string& region) {
    region_ = region;
    seen_.clear();
  }

  Status Apply(std::vector<Found>&& page) {
    std::map<std::string, std::vector<Found*>> created, changed;  // by kind
    for (auto& found : page) {
      const inventory::EntitySpec* spec = registry_.Find(found.kind);
      if (spec == nullptr || found.provider_id.empty()) {
        counts.Error(fmt::format("{} {}: not a kind Maestro keeps", found.kind, found.provider_id));
        continue;
      }
      if (!seen_.insert({found.kind, found.provider_id}).second) continue;  // listed twice
      auto known = KnownOf(found.kind);
      if (!known) return Fail(known.error());
      auto at = (*known)->find(found.provider_id);
      if (at == (*known)->end()) {
        if (found.active) created[found.kind].push_back(&found);  // gone before we met it
      } else if (at->second.checksum != found.checksum || at->second.orphaned) {
        changed[found.kind].push_back(&found);
      } else {
        ++counts.unchanged;
      }
    }
    if (created.empty() && changed.empty()) return {};
    std::vector<std::pair<std::string, std::pair<std::string, Known>>> learned;
    Counts delta;
    auto done = store_.Transaction([&](store::Session& session) -> Status {
      learned.clear();
      delta = Counts{};
      for (auto& [kind, items] : created) {
        if (auto written = Create(session, kind, items, delta, learned); !written) return written;
      }
      for (auto& [kind, items] : changed) {
        if (auto written = Change(session, kind, items, delta, learned); !written) return written;
      }
      return {};
    });
    if (!done) return done;
    counts.Add(delta);
    for (auto& [kind, entry] : learned) known_[kind][entry.first] = std::move(entry.second);
    return {};
  }

  // After a complete listing of the region: what this connection found there before and no
  // longer sees becomes inactive.
  Status Orphans() {
    auto rows = store_.Query(
        "SELECT record_id, kind, provider_id FROM discovered WHERE connection_id = ? AND resource "
        "= ? AND region = ? AND orphaned = 0",
        {connection_.id, resource_, region_});
    if (!rows) return Fail(rows.error());
    struct Gone {
      std::string record_id, kind, provider_id;
    };
    std::vector<Gone> gone;
    for (const auto& row : rows->rows) {
      Gone one{store::AsString(row[0]), store::AsString(row[1]), store::AsString(row[2])};
      if (!seen_.contains({one.kind, one.provider_id})) gone.push_back(std::move(one));
    }
    for (std::size_t first = 0; first < gone.size(); first += 500) {
      const std::size_t last = std::min(gone.size(), first + 500);
      std::int64_t deactivated = 0;
      auto done = store_.Transaction([&](store::Session& session) -> Status {
        deactivated = 0;
        for (std::size_t i = first; i < last; ++i) {
          const auto* spec = registry_.Find(gone[i].kind);
          if (spec == nullptr) continue;
          auto updated = records_.Update(
              session, actor_, *spec, gone[i].record_id, [](const json& record) { return record; },
              false);
          if (!updated && (updated.error().code == ErrorCode::kInternal ||
                           updated.error().code == ErrorCode::kUnavailable)) {
            return Fail(updated.error());
          }
          if (updated) ++deactivated;
          auto marked = session.Exec("UPDATE discovered SET orphaned = 1 WHERE record_id = ?",
                                     {gone[i].record_id});
          if (!marked) return Fail(marked.error());
        }
        return {};
      });
      if (!done) return done;
      counts.deactivated += deactivated;
      for (std::size_t i = first; i < last; ++i) {
        auto kind = known_.find(gone[i].kind);
        if (kind == known_.end()) continue;
        auto known = kind->second.find(gone[i].provider_id);
        if (known != kind->second.end()) known->second.orphaned = true;
      }
    }
    return {};
  }

 private:
  Result<std::map<std::string, Known>*> KnownOf(const std::string& kind) {
    auto at = known_.find(kind);
    if (at != known_.end()) return &at->second;
    auto rows = store_.Query(
        "SELECT provider_id, record_id, checksum, orphaned FROM discovered WHERE owner_id = ? AND "
        "datacenter_id = ? AND kind = ?",
        {connection_.owner_id, connection_.datacenter_id, kind});
    if (!rows) return Fail(rows.error());
    auto& map = known_[kind];
    for (const auto& row : rows->rows) {
      map[store::AsString(row[0])] = {.record_id = store::AsString(row[1]),
                                      .checksum = store::AsString(row[2]),
                                      .orphaned = store::AsInt(row[3]) != 0};
    }
    return &map;
  }

  Status Create(store::Session& session, const std::string& kind, std::vector<Found*>& items,
                Counts& delta,
                std::vector<std::pair<std::string, std::pair<std::string, Known>>>& learned) {
    const auto* spec = registry_.Find(kind);
    std::vector<json> bodies;
    bodies.reserve(items.size());
    for (Found* found : items) bodies.push_back(std::move(found->doc));  // not read again
    auto results = records_.CreateMany(session, actor_, *spec, std::move(bodies), source_);
    if (!results) return Fail(results.error());
    const std::string now = FormatTime(clock_.Now());
    std::string sql;
    store::Params params;
    std::size_t rows = 0;
    auto flush = [&]() -> Status {
      if (rows == 0) return {};
      auto inserted = session.Exec(
          "INSERT INTO discovered (record_id, owner_id, datacenter_id, kind, provider_id, "
          "connection_id, resource, region, checksum, provided, seen_at) VALUES " +
              sql,
          params);
      sql.clear();
      params.clear();
      rows = 0;
      if (!inserted) return Fail(inserted.error());
      return {};
    };
    for (std::size_t i = 0; i < items.size(); ++i) {
      const auto& result = (*results)[i];
      if (!result) {
        delta.Error(fmt::format("{} {}: {}", kind, items[i]->provider_id, result.error().message));
        continue;
      }
      const std::string id = (*result)["id"];
      sql += (rows == 0 ? "" : ", ") + std::string("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
      params.insert(params.end(), {id, connection_.owner_id, connection_.datacenter_id, kind,
                                   items[i]->provider_id, connection_.id, resource_, region_,
                                   items[i]->checksum, items[i]->payload, now});
      learned.push_back({kind, {items[i]->provider_id, Known{id, items[i]->checksum, false}}});
      ++delta.created;
      if (++rows == kStatementRows) {
        if (auto flushed = flush(); !flushed) return flushed;
      }
    }
    return flush();
  }

  Status Change(store::Session& session, const std::string& kind, std::vector<Found*>& items,
                Counts& delta,
                std::vector<std::pair<std::string, std::pair<std::string, Known>>>& learned) {
    const auto* spec = registry_.Find(kind);
    const auto& known = known_[kind];
    const std::string now = FormatTime(clock_.Now());
    for (Found* found : items) {
      const Known& was = known.at(found->provider_id);
      auto provided =
          session.Query("SELECT provided FROM discovered WHERE record_id = ?", {was.record_id});
      if (!provided) return Fail(provided.error());
      json before = json::object();
      if (!provided->empty()) {
        if (auto parsed = ParseJson(store::AsString(provided->rows[0][0]))) before = *parsed;
      }
      auto updated = records_.Update(
          session, actor_, *spec, was.record_id,
          [&](const json& record) { return MergeProvided(record, before, found->doc); },
          !found->active ? std::optional<bool>(false)
          : was.orphaned ? std::optional<bool>(true)
                         : std::nullopt);
      if (!updated) {
        if (updated.error().code == ErrorCode::kInternal ||
            updated.error().code == ErrorCode::kUnavailable) {
          return Fail(updated.error());
        }
        delta.Error(fmt::format("{} {}: {}", kind, found->provider_id, updated.error().message));
        continue;
      }
      auto marked = session.Exec(
          "UPDATE discovered SET checksum = ?, provided = ?, orphaned = 0, seen_at = ?, "
          "connection_id = ?, resource = ?, region = ? WHERE record_id = ?",
          {found->checksum, found->payload, now, connection_.id, resource_, region_,
           was.record_id});
      if (!marked) return Fail(marked.error());
      learned.push_back({kind, {found->provider_id, Known{was.record_id, found->checksum, false}}});
      ++delta.updated;
    }
    return {};
  }

  store::Store& store_;
  const Clock& clock_;
  const inventory::Registry& registry_;
  inventory::Records& records_;
  const Connection& connection_;
  const auth::Principal actor_;
  const std::string resource_;
  const std::string source_;
  std::string region_;
  std::map<std::string, std::map<std::string, Known>> known_;  // kind → provider id → known
  std::set<std::pair<std::string, std::string>> seen_;         // (kind, provider id), region
};

// Lists in a thread of its own while `apply` writes: fetching, parsing and completing the next
// page overlaps writing this one (at most two pages wait). An error of `apply` stops the listing.
Status ListAhead(Connector& connector, std::string_view resource, const std::string& region,
                 const std::string& datacenter_id, const PageSink& apply) {
  std::mutex mutex;
  std::condition_variable changed;
  std::deque<std::vector<Found>> pages;
  bool listed = false, stop = false;
  Status listing;
  std::thread producer([&] {
    listing = connector.List(resource, region, [&](std::vector<Found>&& page) -> Status {
      for (auto& found : page) Complete(found, datacenter_id, region);
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return stop || pages.size() < 2; });
      if (stop) return Fail(ErrorCode::kConflict, "the listing was stopped");
      pages.push_back(std::move(page));
      changed.notify_all();
      return {};
    });
    std::lock_guard lock(mutex);
    listed = true;
    changed.notify_all();
  });
  Status applied;
  for (;;) {
    std::vector<Found> page;
    {
      std::unique_lock lock(mutex);
      changed.wait(lock, [&] { return !pages.empty() || listed; });
      if (pages.empty()) break;
      page = std::move(pages.front());
      pages.pop_front();
      changed.notify_all();
    }
    applied = apply(std::move(page));
    if (!applied) {
      std::lock_guard lock(mutex);
      stop = true;
      changed.notify_all();
      break;
    }
  }
  producer.join();
  if (!applied) return applied;
  return listing;
}

// A lease row so that one sync of a connection's resource runs at a time, across processes.
Result<bool> TakeLease(store::Store& store, const Clock& clock, const std::string& name,
                       const std::string& holder) {
  const TimePoint now = clock.Now();
  auto taken = store.Exec(
      "INSERT INTO leases (name, holder, until) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
      "holder = excluded.holder, until = excluded.until WHERE leases.until < ? OR leases.holder = "
      "excluded.holder",
      {name, holder, FormatTime(now + kLease), FormatTime(now)});
  if (!taken) return Fail(taken.error());
  return *taken > 0;
}

}  // namespace

SyncEngine::SyncEngine(store::Store& store, const Clock& clock, const inventory::Registry& registry,
                       inventory::Records& records, Connections& connections,
                       auth::Accounts& accounts, scheduler::Schedules& schedules)
    : store_(store),
      clock_(clock),
      registry_(registry),
      records_(records),
      connections_(connections),
      accounts_(accounts),
      schedules_(schedules) {}

Result<json> SyncEngine::Run(const std::string& connection_id, const std::string& resource,
                             const std::string& schedule_id, const SyncProgress& progress) {
  auto connection = connections_.Open(connection_id);
  if (!connection) {
    if (connection.error().code == ErrorCode::kNotFound) {
      return Fail(ErrorCode::kNotFound, "the connection was deleted");
    }
    return Fail(connection.error());
  }
  auto owner = accounts_.PrincipalOf(connection->owner_id);
  if (!owner) return Fail(owner.error());
  auth::Principal actor = *owner;
  actor.actor_type = "connection";
  actor.actor_id = connection->id;

  const std::string lease = fmt::format("sync:{}:{}", connection->id, resource);
  const std::string holder = NewId();
  const auto wait_until = std::chrono::steady_clock::now() + kLeaseWait;
  for (;;) {
    auto taken = TakeLease(store_, clock_, lease, holder);
    if (!taken) return Fail(taken.error());
    if (*taken) break;
    if (std::chrono::steady_clock::now() > wait_until) {
      return json{{"state", "skipped"},
                  {"message", "another sync of this resource is running; this one did nothing"}};
    }
    if (auto going = progress(0, 0, "waiting for the sync under way"); !going)
      return Fail(going.error());
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  struct Release {
    store::Store& store;
    const std::string& name;
    const std::string& holder;
    ~Release() {
      (void)store.Exec("DELETE FROM leases WHERE name = ? AND holder = ?", {name, holder});
    }
  } release{store_, lease, holder};

  auto connector = connections_.ConnectorFor(*connection);
  if (!connector) return Fail(connector.error());
  ::maestro::discovery::Run run(store_, clock_, registry_, records_, *connection, actor, resource);
  const auto regions = (*connector)->Regions(connection->regions);
  std::int64_t listed = 0;
  int listed_regions = 0;
  std::optional<Error> worst;
  json region_errors = json::array();
  for (const auto& region : regions) {
    run.StartRegion(region);
    auto listing =
        ListAhead(**connector, resource, region, connection->datacenter_id,
                  [&](std::vector<Found>&& page) -> Status {
                    listed += static_cast<std::int64_t>(page.size());
                    if (auto applied = run.Apply(std::move(page)); !applied) return applied;
                    if (auto renewed = TakeLease(store_, clock_, lease, holder); !renewed) {
                      return Fail(renewed.error());
                    }
                    return progress(listed, 0,
                                    fmt::format("{}{}: {} listed", resource,
                                                region.empty() ? "" : " in " + region, listed));
                  });
    if (!listing) {
      // When the job was stopped (cancelled, timed out), that is the outcome.
      if (auto going = progress(listed, 0, "listing failed"); !going) return Fail(going.error());
      region_errors.push_back({{"region", region}, {"message", listing.error().message}});
      if (!worst || IsDanger(listing.error().code)) worst = listing.error();
      continue;
    }
    ++listed_regions;
    if (auto orphans = run.Orphans(); !orphans) {
      region_errors.push_back({{"region", region}, {"message", orphans.error().message}});
      if (!worst) worst = orphans.error();
    }
  }

  std::string state = "success";
  std::string message =
      fmt::format("{} created, {} updated, {} unchanged, {} deactivated", run.counts.created,
                  run.counts.updated, run.counts.unchanged, run.counts.deactivated);
  if (run.counts.failed > 0) {
    state = "warning";
    message +=
        fmt::format("; {} refused ({})", run.counts.failed,
                    run.counts.errors.empty() ? "" : run.counts.errors[0].get<std::string>());
  }
  if (worst) {
    state = IsDanger(worst->code) ? "danger" : "warning";
    message = fmt::format("{}: {}", state == "danger" ? "access refused" : "listing failed",
                          worst->message) +
              (listed_regions > 0 ? "; " + message : "");
  }
  json counts = run.counts.Json();
  json status = {
      {"state", state}, {"message", message}, {"at", FormatTime(clock_.Now())}, {"counts", counts}};
  if (auto saved = connections_.SetStatus(*connection, resource, status); !saved) {
    spdlog::warn("sync {} {}: status not saved: {}", connection->id, resource,
                 saved.error().message);
  }
  if (state == "danger" && !schedule_id.empty()) {
    (void)schedules_.DepleteNow(schedule_id, "connection in danger: " + worst->message);
  }
  if (worst && listed_regions == 0) return Fail(worst->code, message);
  json result = counts;
  result["regions"] = regions.size();
  result["state"] = state;
  result["message"] = message;
  result["errors"] = run.counts.errors;
  result["region_errors"] = region_errors;
  return result;
}

jobs::JobType SyncEngine::Job() {
  return {.name = "sync",
          .handler = [this](jobs::JobContext& context) -> Result<json> {
            const std::string connection = context.args().value("connection", "");
            const std::string resource = context.args().value("resource", "");
            return Run(connection, resource, context.job().schedule_id,
                       [&](std::int64_t done, std::int64_t total, const std::string& message) {
                         return context.Progress(done, total, message);
                       });
          },
          .timeout = std::chrono::seconds(3600)};
}

}  // namespace maestro::discovery
