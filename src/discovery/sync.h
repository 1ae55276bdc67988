// The sync engine: one for every provider (issue "Discovery"; API.md, sync semantics).
//
// A sync is one connection × one resource, over each of its regions. The connector lists every
// page; each page is written in one transaction:
// - records are keyed by the provider's own id within the connection's owner and datacenter (the
//   `discovered` table), never by IP, never across owners;
// - a record whose translated payload has the checksum it had last time is not written at all;
// - a changed record gets, field by field, the provider's value where the provider changed that
//   field since last time, and keeps a person's edit elsewhere (per-field provenance: the table
//   keeps what the provider last said);
// - every change is a history entry whose actor is the connection.
// Only after a complete, successful listing of a region are the records this connection found
// there before, and no longer sees, made inactive (orphans); a failed listing deactivates nothing.
// Two syncs of the same connection and resource never run at once (a lease; the second waits).
//
// The outcome per resource goes to the connection's `status` (success | warning | danger, a
// message, the time and counts) and to its owner as `connections-update` / `connections-<id>`.
// Authentication and permission errors are danger: the schedule that ran the sync is disabled.
//
// Thread-safe.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>

#include "auth/accounts.h"
#include "common/clock.h"
#include "discovery/connections.h"
#include "inventory/records.h"
#include "inventory/registry.h"
#include "jobs/workers.h"
#include "scheduler/schedules.h"
#include "store/store.h"

namespace maestro::discovery {

// (done, total, message); an error stops the sync (the job was cancelled or timed out).
using SyncProgress =
    std::function<Status(std::int64_t done, std::int64_t total, const std::string& message)>;

class SyncEngine {
 public:
  SyncEngine(store::Store& store, const Clock& clock, const inventory::Registry& registry,
             inventory::Records& records, Connections& connections, auth::Accounts& accounts,
             scheduler::Schedules& schedules);

  // {regions, created, updated, unchanged, deactivated, failed, state, message, errors}. Fails
  // when no region could be listed (kUnavailable ones are retried by the job), or when the
  // connection or its owner is gone.
  Result<nlohmann::json> Run(const std::string& connection_id, const std::string& resource,
                             const std::string& schedule_id, const SyncProgress& progress);

  // The `sync` job type (args {connection, resource}).
  jobs::JobType Job();

 private:
  store::Store& store_;
  const Clock& clock_;
  const inventory::Registry& registry_;
  inventory::Records& records_;
  Connections& connections_;
  auth::Accounts& accounts_;
  scheduler::Schedules& schedules_;
};

// The checksum of a translated payload (stable across runs and builds).
std::string PayloadChecksum(const nlohmann::json& doc);
// Per-field provenance: `current` (the record's fields now) with each top-level field the provider
// changed between `before` and `after` (what it said last time and now) taken from `after`.
nlohmann::json MergeProvided(const nlohmann::json& current, const nlohmann::json& before,
                             const nlohmann::json& after);

}  // namespace maestro::discovery
