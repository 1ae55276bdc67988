// Connectors: what each provider's API (or file) says, translated into Maestro records. One per
// provider; the sync engine (sync.h) does everything else the same way for all of them.
//
// A connector lists one resource in one region at a time, every page, and hands each page over
// as it comes, so memory stays flat whatever the account's size. Errors say what to do and never
// contain a credential. Authentication and permission errors are kUnauthorized / kForbidden (the
// connection is then in danger); others (throttled too long, no answer, a payload that does not
// parse) are warnings.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace maestro::blobs {
class BlobStore;
}

namespace maestro::discovery {

// One thing a provider listed, as a record of `kind`.
struct Found {
  std::string kind;         // servers, volumes, applications, networks, …
  std::string provider_id;  // the provider's own id (instance id, droplet id, ARN, …)
  nlohmann::json doc;       // the record's fields (datacenter.id is set by the sync engine)
  bool active = true;       // false: gone at the provider (terminated, deleted)
  // Set by the sync engine: the payload as kept, and its checksum.
  std::string payload;
  std::string checksum;
};

using PageSink = std::function<Status(std::vector<Found>&& page)>;

struct ConnectorSettings {
  std::string provider;
  nlohmann::json credentials;        // opened; never logged
  std::string endpoint;              // base URL override ("" = the provider's)
  std::vector<std::string> regions;  // the connection's (providers listing all at once filter)
  std::chrono::milliseconds timeout{30000};
  blobs::BlobStore* blobs = nullptr;  // uploaded files (uploads/<owner_id>/<id>)
  std::string owner_id;
  // Throttling: attempts of one call, and the first pause (doubling).
  int attempts = 5;
  std::chrono::milliseconds backoff{500};
};

class Connector {
 public:
  virtual ~Connector() = default;
  // The cheapest call that proves the credentials work: a message naming the account.
  virtual Result<std::string> Test() = 0;
  // Every page of `resource` in `region` ("" for providers without regions), in order. An error
  // (from the provider or from `sink`) stops the listing: it was not complete.
  virtual Status List(std::string_view resource, const std::string& region,
                      const PageSink& sink) = 0;
  // The regions to walk: the connection's, or {""} for providers without regions.
  virtual std::vector<std::string> Regions(const std::vector<std::string>& configured) const {
    return configured.empty() ? std::vector<std::string>{""} : configured;
  }
};

// Whether this version can sync `resource` of `provider` (every resource of the catalogue).
bool Supports(std::string_view provider, std::string_view resource);
// The import format of POST /api/import ({servers, volumes}) for a Terraform state: its
// aws_instance resources, their block devices and its aws_ebs_volume resources.
Result<nlohmann::json> TerraformAsImport(const nlohmann::json& state);

// kValidationFailed when the provider has no connector.
Result<std::unique_ptr<Connector>> MakeConnector(const ConnectorSettings& settings);

}  // namespace maestro::discovery
