// The providers Maestro discovers from, as data (API.md, GET /api/providers): for each, its
// credential fields, its resources (the API calls each makes and its default sync period, from
// DATA-MODEL.md) and the read-only permission policy a user pastes at the provider. Connections,
// their schedules and the connectors all read this table.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace maestro::discovery {

struct CredentialField {
  std::string_view name;
  std::string_view label;
  bool secret;  // never shown again once written (all are stored encrypted)
};

struct Resource {
  std::string_view name;           // server-list, volumes-list, …
  std::string_view default_every;  // a duration of the scheduler (5m, 6h, 14d)
  std::vector<std::string_view> calls;
};

struct Provider {
  std::string_view
      name;  // aws, azure, openstack, digitalocean, do-spaces, ansible, terraform, json
  std::string_view label;
  std::vector<CredentialField> credentials;
  // Files (ansible, terraform, json) take one of their credential fields: upload, ssh or s3.
  bool one_of_credentials;
  std::vector<Resource> resources;
};

std::span<const Provider> Providers();
const Provider* FindProvider(std::string_view name);
const Resource* FindResource(const Provider& provider, std::string_view name);
// The read-only permission document (or instructions) to paste at the provider.
std::string Policy(const Provider& provider);
// GET /api/providers: [{provider, label, credentials, resources: [{name, default_every, calls}],
// policy}].
nlohmann::json DescribeProviders();

}  // namespace maestro::discovery
