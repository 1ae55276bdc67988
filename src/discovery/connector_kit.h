// What connectors share (internal to the discovery module): calls with throttling back-off and
// errors classified the same way for every provider, the flavor catalogue, small translations.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "common/http_call.h"
#include "discovery/connector.h"

namespace maestro::discovery {

// Performs `call`, pausing and retrying while the provider throttles (429, 503, or a reply body
// naming Throttling / RequestLimitExceeded / TooManyRequests), up to settings.attempts. Then:
// 401 → kUnauthorized, 403 → kForbidden, other 4xx → kBadRequest, 5xx and no answer →
// kUnavailable; each message says `what` was called and what the provider said (never the
// request's headers, where credentials travel).
Result<HttpReply> CallProvider(const HttpCall& call, const ConnectorSettings& settings,
                               std::string_view what);

// The SHA-256 of an empty payload: S3 wants it in x-amz-content-sha256 on every signed GET.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// vCPUs and memory (GiB) of a public size from the flavor catalogue, by provider and API name.
struct FlavorSize {
  int vcpus = 0;
  double memory = 0;
};
std::optional<FlavorSize> FindFlavor(std::string_view provider, std::string_view api_name);

// RFC 3986 percent-encoding of all but unreserved characters (and those of `keep`, "/" in paths).
std::string PercentEncode(std::string_view text, std::string_view keep = {});
// "https://host:port" of a URL: links to follow are checked to stay there.
std::string OriginOf(const std::string& url);

// "web-1" → tags value, for tags given as {key, value} items.
std::string TagValue(const nlohmann::json& tags, std::string_view key);
// GiB from MiB, two decimals.
double GibFromMib(double mib);
// The text of `value` when it is text, else "".
std::string Text(const nlohmann::json& value);

// The file connectors (json, terraform, ansible): the source's bytes (an upload, an S3 object or
// a file over SSH).
Result<std::string> ReadSource(const ConnectorSettings& settings,
                               std::string* fingerprint = nullptr);
// The file at the SSH source's path; with `directory`, also every regular file of the path when
// it is a directory (then *directory is true and the names are the files'). `fingerprint`
// receives the server's host key fingerprint (checked against ssh.host_key when pinned).
Result<std::vector<std::pair<std::string, std::string>>> ReadSsh(const ConnectorSettings& settings,
                                                                 bool* directory,
                                                                 std::string* fingerprint);
// Whether the source is an S3 prefix (a path ending with '/'): many files.
bool IsPrefix(const ConnectorSettings& settings);
// Every object under the S3 prefix: (key, bytes), over all pages of ListObjectsV2.
Result<std::vector<std::pair<std::string, std::string>>> ReadSources(
    const ConnectorSettings& settings);

std::unique_ptr<Connector> MakeAws(const ConnectorSettings& settings);
std::unique_ptr<Connector> MakeAzure(const ConnectorSettings& settings);
std::unique_ptr<Connector> MakeOpenStack(const ConnectorSettings& settings);
std::unique_ptr<Connector> MakeDigitalOcean(const ConnectorSettings& settings);
std::unique_ptr<Connector> MakeFile(const ConnectorSettings& settings);

}  // namespace maestro::discovery
