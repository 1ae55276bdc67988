// Connections (DATA-MODEL.md, connections; API.md, Discovery): a provider account (or a file
// source) bound to a datacenter, the regions and resources to sync, and sealed credentials.
//
// Credentials are accepted on write, sealed with the SecretBox, and never returned: reads show
// `credentials: {<field>: "set"}`. They are not in history (connections have none), in logs or in
// error messages. A connection belongs to the user who created it; only they see and change it,
// and what it discovers belongs to them too.
//
// Each enabled resource has a schedule of task `sync` (args {connection, resource}) owned by the
// same user, kept in step with the connection: created with it, changed with its periods and
// switches, removed with it or with the resource.
//
// Thread-safe.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/principal.h"
#include "common/clock.h"
#include "common/error.h"
#include "common/secret_box.h"
#include "discovery/connector.h"
#include "inventory/records.h"
#include "jobs/jobs.h"
#include "notify/events.h"
#include "scheduler/schedules.h"
#include "store/store.h"

namespace maestro::discovery {

// A connection as the sync engine needs it, credentials opened.
struct Connection {
  std::string id;
  std::string owner_id;
  std::string name;
  std::string provider;
  std::string datacenter_id;
  std::vector<std::string> regions;
  std::string endpoint;
  bool enabled = true;
  nlohmann::json resources;  // {<resource>: {enabled, every, schedule}}
  nlohmann::json credentials;
};

class Connections {
 public:
  Connections(store::Store& store, const Clock& clock, inventory::Records& records,
              scheduler::Schedules& schedules, jobs::Jobs& jobs, notify::Events* events,
              const SecretBox* box, ConnectorSettings connector_defaults);

  // The `sync` task for the scheduler: its args check.
  scheduler::TaskOffer SyncOffer();

  Result<nlohmann::json> List(const auth::Principal& caller, int page, int limit);
  Result<nlohmann::json> Get(const auth::Principal& caller, const std::string& id);
  Result<nlohmann::json> Create(const auth::Principal& caller, const nlohmann::json& body);
  // JSON merge patch (credentials merge field by field) and PUT; If-Match via version (0 = none).
  Result<nlohmann::json> Patch(const auth::Principal& caller, const std::string& id,
                               const nlohmann::json& patch, std::int64_t if_version);
  Result<nlohmann::json> Replace(const auth::Principal& caller, const std::string& id,
                                 const nlohmann::json& body, std::int64_t if_version);
  // Deletes the connection and its schedules; what it discovered stays.
  Status Delete(const auth::Principal& caller, const std::string& id);
  // POST /sync {resources?}: a job per resource (default: the enabled ones) → {jobs: [...]}.
  Result<nlohmann::json> Sync(const auth::Principal& caller, const std::string& id,
                              const nlohmann::json& body);
  // POST /test: {ok, message}; ok false says what the provider answered.
  Result<nlohmann::json> Test(const auth::Principal& caller, const std::string& id);

  // GET /api/datacenters/<id>/orphans: the caller's readable servers of that datacenter that a
  // connection found gone (orphans), or that no connection ever discovered (kept by hand or
  // imported), newest change first: {items, total, page, limit}.
  Result<nlohmann::json> Orphans(const auth::Principal& caller, const std::string& datacenter,
                                 int page, int limit);

  // For the sync engine: the connection with its credentials opened (kNotFound when gone).
  Result<Connection> Open(const std::string& id);
  // Records one resource's outcome in `status` and tells the owner.
  Status SetStatus(const Connection& connection, const std::string& resource,
                   const nlohmann::json& status);
  // The connector of a connection, with the instance's settings.
  Result<std::unique_ptr<Connector>> ConnectorFor(const Connection& connection) const;

 private:
  struct Fields;
  Result<Fields> Check(const auth::Principal& caller, const nlohmann::json& body,
                       const nlohmann::json* stored_credentials);
  Result<nlohmann::json> Write(const auth::Principal& caller, const std::string& id,
                               const nlohmann::json& body, std::int64_t if_version, bool merge);
  // Creates, changes or removes the schedules of `resources` so they match; returns them with
  // their schedule ids.
  Result<nlohmann::json> AlignSchedules(const std::string& owner_id, const std::string& id,
                                        const std::string& name, bool enabled,
                                        nlohmann::json resources);
  void Signal(const std::string& owner_id, const std::string& id);

  store::Store& store_;
  const Clock& clock_;
  inventory::Records& records_;
  scheduler::Schedules& schedules_;
  jobs::Jobs& jobs_;
  notify::Events* events_;
  // Seals credentials; null without MAESTRO_SECRET_KEY (then connections answer 503).
  Result<const SecretBox*> Box() const;
  const SecretBox* box_;
  const ConnectorSettings connector_defaults_;
};

}  // namespace maestro::discovery
