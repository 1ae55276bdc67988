// The seed data Maestro ships: the global option lists, the services catalogue and the public
// flavor catalogue. Written in our own words from public facts (provider documentation of region
// names and instance sizes). They are the options' defaults; what admins change is stored.
//
// Each document is built on first use (thread-safe static initialisation) and never changed
// afterwards, so the references stay valid for the life of the process and may be read from any
// thread.
#pragma once

#include <nlohmann/json_fwd.hpp>

namespace maestro::inventory {

// The global option lists, key -> value, as GET /api/options shows them before an admin edits
// them: env_options, server_options, application_options, database_options, datacenter_options,
// clients_options, services_options, system_options, deps_options, schedule_options (objects),
// and the catalogues service_catalogue (DefaultServices) and flavor_catalogue (DefaultFlavors).
// datacenter_options is {"providers": [{name, note?, regions: [{name, label, zones: [..]}]}]};
// schedule_options maps each sync resource ("server-list") to its default period ("5m").
const nlohmann::json& DefaultOptions();

// The services catalogue: a few hundred well-known pieces of software that run on servers, each
// {"name", "family": [..], "tags": [..]}. Names are unique case-insensitively; every item is a
// valid "services" document.
const nlohmann::json& DefaultServices();

// The public flavor catalogue: common AWS EC2, Azure and DigitalOcean sizes, each
// {"name", "provider", "vcpus", "memory" (GiB), "disk" (GB, only where the size comes with a
// fixed disk), "api_name", "public": true}. Every item is a valid "flavors" document.
const nlohmann::json& DefaultFlavors();

}  // namespace maestro::inventory
