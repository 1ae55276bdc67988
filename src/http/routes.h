// AddRoutes: every route of the API, on one screen. Handlers here do transport only (read the
// request, call a service, shape the answer); logic lives in the domain modules.
#pragma once

#include <string>

#include "analytics/graphs.h"
#include "auth/accounts.h"
#include "auth/teams.h"
#include "blobs/blob_store.h"
#include "common/metrics.h"
#include "discovery/connections.h"
#include "http/router.h"
#include "http/static_files.h"
#include "inventory/dependencies.h"
#include "inventory/import.h"
#include "inventory/options.h"
#include "inventory/records.h"
#include "inventory/registry.h"
#include "inventory/search.h"
#include "jobs/job_queue.h"
#include "jobs/jobs.h"
#include "notify/events.h"
#include "reports/reports.h"
#include "scheduler/schedules.h"
#include "store/store.h"

namespace maestro::http {

struct AppInfo {
  std::string version;
  std::string theme;    // the web UI's default theme (THEME)
  std::string web_dir;  // where the UI was looked for, for the "not built" page
};

// What the handlers call. Owned by the composition root (app/wiring.cpp); outlives the server.
struct Services {
  store::Store& store;
  MetricsRegistry& metrics;
  auth::Accounts& accounts;
  auth::Teams& teams;
  const inventory::Registry& registry;
  inventory::Records& records;
  inventory::Search& search;
  inventory::Importer& importer;
  inventory::Options& options;
  jobs::Jobs& jobs;
  jobs::JobQueue& queue;
  scheduler::Schedules& schedules;
  discovery::Connections& connections;
  reports::Reports& reports;
  analytics::Graphs& graphs;
  inventory::Dependencies& dependencies;
  notify::Events& events;
  blobs::BlobStore& blobs;
  const StaticFiles* web;  // null when the web UI is not built
  AppInfo info;
};

void AddRoutes(Router& router, Services& services);

}  // namespace maestro::http
