#include "discovery/connector_kit.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <pugixml.hpp>
#include <thread>

#include "blobs/blob_store.h"
#include "common/validation.h"
#include "discovery/providers.h"
#include "inventory/catalogues.h"

namespace maestro::discovery {

using nlohmann::json;

namespace {

bool Throttled(const HttpReply& reply) {
  if (reply.status == 429 || reply.status == 503) return true;
  if (reply.status != 400) return false;
  for (std::string_view code : {"Throttling", "RequestLimitExceeded", "TooManyRequests"}) {
    if (reply.body.find(code) != std::string::npos) return true;
  }
  return false;
}

// What the provider said, short: the first 300 characters of its reply.
std::string Said(const HttpReply& reply) {
  std::string text = reply.body.substr(0, 300);
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  }
  return text;
}

}  // namespace

Result<HttpReply> CallProvider(const HttpCall& call, const ConnectorSettings& settings,
                               std::string_view what) {
  auto pause = settings.backoff;
  for (int attempt = 1;; ++attempt) {
    auto reply = Perform(call);
    if (!reply) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("{}: no answer ({}); check the endpoint and the network", what,
                              reply.error().message));
    }
    if (Throttled(*reply) && attempt < settings.attempts) {
      std::this_thread::sleep_for(pause);
      pause *= 2;
      continue;
    }
    if (reply->status >= 200 && reply->status < 300) return reply;
    const std::string message = fmt::format("{}: HTTP {}: {}", what, reply->status, Said(*reply));
    if (Throttled(*reply)) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("{} (still throttled after {} attempts)", message, attempt));
    }
    // AWS names refused credentials and permissions in the body, whatever the status.
    for (std::string_view code : {"AuthFailure", "InvalidClientTokenId", "SignatureDoesNotMatch"}) {
      if (reply->body.find(code) != std::string::npos) {
        return Fail(ErrorCode::kUnauthorized, message + " — check the credentials");
      }
    }
    for (std::string_view code : {"UnauthorizedOperation", "AccessDenied"}) {
      if (reply->body.find(code) != std::string::npos) {
        return Fail(ErrorCode::kForbidden,
                    message + " — give the read-only permissions of GET /api/providers");
      }
    }
    if (reply->status == 401) {
      return Fail(ErrorCode::kUnauthorized, message + " — check the credentials");
    }
    if (reply->status == 403) {
      return Fail(ErrorCode::kForbidden,
                  message + " — give the read-only permissions of GET /api/providers");
    }
    if (reply->status >= 500) return Fail(ErrorCode::kUnavailable, message);
    return Fail(ErrorCode::kBadRequest, message);
  }
}

std::optional<FlavorSize> FindFlavor(std::string_view provider, std::string_view api_name) {
  // The catalogue names providers by label: AWS, Azure, DigitalOcean.
  static const auto* index = [] {
    auto* map = new std::map<std::pair<std::string, std::string>, FlavorSize, std::less<>>();
    for (const auto& flavor : inventory::DefaultFlavors()) {
      std::string label = Text(flavor["provider"]);
      for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      (*map)[{label, Text(flavor["api_name"])}] = {flavor.value("vcpus", 0),
                                                   flavor.value("memory", 0.0)};
    }
    return map;
  }();
  auto found = index->find(std::pair<std::string, std::string>(provider, api_name));
  if (found == index->end()) return std::nullopt;
  return found->second;
}

std::string PercentEncode(std::string_view text, std::string_view keep) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) ||
        std::string_view("-_.~").find(static_cast<char>(c)) != std::string_view::npos ||
        keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string OriginOf(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  const auto slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string TagValue(const json& tags, std::string_view key) {
  if (!tags.is_array()) return "";
  for (const auto& tag : tags) {
    if (tag.is_object() && Text(tag.value("key", json())) == key)
      return Text(tag.value("value", json()));
  }
  return "";
}

double GibFromMib(double mib) { return std::round(mib / 1024.0 * 100.0) / 100.0; }

std::string Text(const json& value) { return value.is_string() ? value.get<std::string>() : ""; }

namespace {

// GET of an object (or, with `query`, of the bucket: a listing) of the connection's S3 source.
Result<HttpReply> S3Get(const ConnectorSettings& settings, const std::string& key,
                        const std::string& query) {
  const json& s3 = settings.credentials["s3"];
  std::string endpoint = s3.value("endpoint", "https://s3.amazonaws.com");
  while (endpoint.ends_with('/')) endpoint.pop_back();
  const std::string region = s3.value("region", "us-east-1");
  const std::string bucket = Text(s3["bucket"]);
  const std::string escaped = PercentEncode(key, "/");
  HttpCall call{
      .url = fmt::format("{}/{}/{}{}", endpoint, bucket, escaped, query.empty() ? "" : "?" + query),
      .headers = {"x-amz-content-sha256: " + std::string(kEmptyPayloadSha256)},
      .timeout = settings.timeout};
  if (s3.contains("access_key")) {
    call.aws_sigv4 = "aws:amz:" + region + ":s3";
    call.username = Text(s3["access_key"]);
    call.password = Text(s3.value("secret_key", json("")));
  }
  return CallProvider(call, settings,
                      fmt::format("S3 GET {}/{}{}", bucket, key, query.empty() ? "" : " (list)"));
}

}  // namespace

bool IsPrefix(const ConnectorSettings& settings) {
  const json& credentials = settings.credentials;
  if (!credentials.contains("s3")) return false;
  const std::string path = Text(credentials["s3"].value("path", json()));
  return path.empty() || path.ends_with('/');
}

Result<std::vector<std::pair<std::string, std::string>>> ReadSources(
    const ConnectorSettings& settings) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!IsPrefix(settings)) {
    auto bytes = ReadSource(settings);
    if (!bytes) return Fail(bytes.error());
    files.emplace_back("", std::move(*bytes));
    return files;
  }
  std::string prefix = Text(settings.credentials["s3"].value("path", json()));
  while (prefix.starts_with('/')) prefix.erase(0, 1);
  std::string token;
  for (int pages = 0; pages < 10000; ++pages) {
    std::string query = "list-type=2&prefix=" + PercentEncode(prefix);
    if (!token.empty()) query += "&continuation-token=" + PercentEncode(token);
    auto listing = S3Get(settings, "", query);
    if (!listing) return Fail(listing.error());
    pugi::xml_document document;
    if (!document.load_buffer(listing->body.data(), listing->body.size())) {
      return Fail(ErrorCode::kBadRequest, "S3 list: the answer is not XML");
    }
    const auto result = document.document_element();
    for (auto item : result.children("Contents")) {
      const std::string key = item.child("Key").text().as_string();
      if (key.empty() || key.ends_with('/')) continue;
      if (files.size() >= 100000) {
        return Fail(ErrorCode::kBadRequest, "more than 100,000 files under the S3 prefix");
      }
      auto object = S3Get(settings, key, "");
      if (!object) return Fail(object.error());
      files.emplace_back(key, std::move(object->body));
    }
    token = result.child("NextContinuationToken").text().as_string();
    if (std::string_view(result.child("IsTruncated").text().as_string()) != "true" ||
        token.empty()) {
      return files;
    }
  }
  return Fail(ErrorCode::kBadRequest, "S3 list: paging never ends");
}

Result<std::string> ReadSource(const ConnectorSettings& settings, std::string* fingerprint) {
  const json& credentials = settings.credentials;
  if (credentials.contains("upload")) {
    if (settings.blobs == nullptr) return Fail(ErrorCode::kInternal, "no blob store");
    const std::string key =
        fmt::format("uploads/{}/{}", Lower(settings.owner_id), Lower(Text(credentials["upload"])));
    auto blob = settings.blobs->Get(key);
    if (!blob) {
      if (blob.error().code == ErrorCode::kNotFound) {
        return Fail(ErrorCode::kBadRequest,
                    "the uploaded file is gone: upload it again (POST /api/uploads)");
      }
      return Fail(blob.error());
    }
    return std::move(blob->bytes);
  }
  if (credentials.contains("s3")) {
    const json& s3 = credentials["s3"];
    std::string path = Text(s3["path"]);
    while (path.starts_with('/')) path.erase(0, 1);
    auto reply = S3Get(settings, path, "");
    if (!reply) return Fail(reply.error());
    return std::move(reply->body);
  }
  if (credentials.contains("ssh")) {
    auto files = ReadSsh(settings, nullptr, fingerprint);
    if (!files) return Fail(files.error());
    return std::move(files->front().second);
  }
  return Fail(ErrorCode::kValidationFailed,
              "a file source is one of upload, ssh or s3: give one in the credentials");
}

bool Supports(std::string_view provider, std::string_view resource) {
  // Every resource of the catalogue (providers.cpp) has its connector.
  const Provider* found = FindProvider(provider);
  return found != nullptr && FindResource(*found, resource) != nullptr;
}

Result<std::unique_ptr<Connector>> MakeConnector(const ConnectorSettings& settings) {
  if (settings.provider == "aws" || settings.provider == "do-spaces") return MakeAws(settings);
  if (settings.provider == "digitalocean") return MakeDigitalOcean(settings);
  if (settings.provider == "azure") return MakeAzure(settings);
  if (settings.provider == "openstack") return MakeOpenStack(settings);
  if (settings.provider == "json" || settings.provider == "terraform" ||
      settings.provider == "ansible") {
    return MakeFile(settings);
  }
  return Fail(ErrorCode::kValidationFailed,
              fmt::format("the {} connector is not available in this version of Maestro",
                          settings.provider));
}

}  // namespace maestro::discovery
