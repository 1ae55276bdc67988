// S3BlobStore: blobs as objects in an S3 bucket (AWS, or any S3-compatible store such as MinIO),
// for the scaled-out shape where API nodes share no disk.
//
// Talks S3's REST API through libcurl: PUT/GET/DELETE object, signed with AWS Signature V4
// (curl's CURLOPT_AWS_SIGV4, with the payload's SHA-256 in x-amz-content-sha256). The content
// type is stored as the object's Content-Type. Errors name the bucket and key, never the secret.
// Thread-safe: each call uses its own curl handle; no state is shared between calls.
#pragma once

#include <chrono>
#include <string>

#include "blobs/blob_store.h"

namespace maestro::blobs {

struct S3BlobSettings {
  // Base URL of an S3-compatible store ("http://127.0.0.1:4568"); objects are then addressed
  // path-style, <endpoint>/<bucket>/<key>. Default: empty, meaning AWS itself, addressed
  // virtual-host style, https://<bucket>.s3.<region>.amazonaws.com/<key>.
  std::string endpoint;
  std::string region = "us-east-1";          // the signing region (and the AWS host's)
  std::string bucket;                        // REQUIRES: not empty
  std::string access_key;                    // REQUIRES: not empty
  std::string secret_key;                    // REQUIRES: not empty; never logged nor put in errors
  std::chrono::milliseconds timeout{30000};  // a whole request, connection included
};

class S3BlobStore final : public BlobStore {
 public:
  explicit S3BlobStore(S3BlobSettings settings);

  // kBadRequest for an invalid key or content type; kUnavailable naming bucket and key when the
  // store cannot be reached, times out or answers other than 2xx.
  Status Put(std::string_view key, std::string_view bytes, std::string_view content_type) override;
  // kNotFound when the store answers 404; kUnavailable as for Put.
  Result<Blob> Get(std::string_view key) override;
  // S3 answers 204 for a missing object as well, so Delete of a missing blob succeeds.
  Status Delete(std::string_view key) override;
  // "s3://<bucket>@<endpoint>" (or "@<region>" for AWS).
  std::string Describe() const override;

  // The URL of key's object (see S3BlobSettings::endpoint). Exposed for tests.
  std::string UrlOf(std::string_view key) const;

 private:
  const S3BlobSettings settings_;
};

}  // namespace maestro::blobs
