// Graphs (API.md, Graphs; DATA-MODEL.md, graphs): dependency maps of applications, owned by their
// creator, built by a `graph` job into metrics and a drawing, read as SVG, PNG or JSON, and shared
// through public links that can be revoked.
//
// A graph is drawn `from` systems, clients or applications (walk.h says how each leads to entry
// points) as its owner may see them: an application the owner cannot read is neither shown nor
// walked through. Creating a graph, changing its `from`, POST …/run and the `graph` task of
// schedules queue a build; the status goes queued → running → finished | empty | failed with a
// message, and `graphs-update` / `graphs-<id>` events tell the owner's UI. `empty`: nothing to
// draw — no entry point, or entry points without a dependency the owner can read (a lone
// application is not a map). A build replaces the metrics and the drawing together; a build
// superseded by a newer one is dropped. PNGs are rendered from the stored drawing on first request
// and kept in the blob store until the next drawing.
//
// MAESTRO_ANALYTICS_DISABLED: every call answers kUnavailable (503), public pages included.
//
// Thread-safe: state is in the Store (drawing is serialised process-wide, see drawing.h).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "blobs/blob_store.h"
#include "common/clock.h"
#include "common/error.h"
#include "jobs/jobs.h"
#include "jobs/workers.h"
#include "notify/events.h"
#include "scheduler/schedules.h"
#include "store/store.h"

namespace maestro::analytics {

struct GraphSettings {
  bool disabled = false;     // MAESTRO_ANALYTICS_DISABLED
  std::string share_secret;  // MAESTRO_SECRETJWT_PUBLIC: signs share links
  std::string public_url;    // MAESTRO_PUBLIC_URL: where share links point
};

// A file of a graph, ready to send.
struct GraphFile {
  std::string bytes;
  std::string content_type;
  std::string filename;                 // for Content-Disposition
  std::string content_security_policy;  // empty: none needed
};

class Graphs {
 public:
  Graphs(store::Store& store, const Clock& clock, jobs::Jobs& jobs, notify::Events* events,
         blobs::BlobStore& blobs, GraphSettings settings);

  // {items, total, page, limit}, newest first.
  Result<nlohmann::json> List(const std::string& owner_id, int page, int limit);
  Result<nlohmann::json> Get(const std::string& owner_id, const std::string& id);
  // {name, from}: checks it (422 naming fields, and the ids the owner cannot read) and queues the
  // build.
  Result<nlohmann::json> Create(const std::string& owner_id, const nlohmann::json& body);
  // Merge patch (`from` is replaced whole) / replacement; If-Match through `if_version` (0 =
  // none). A new `from` queues a build; a new name alone does not.
  Result<nlohmann::json> Patch(const std::string& owner_id, const std::string& id,
                               const nlohmann::json& patch, std::int64_t if_version);
  Result<nlohmann::json> Replace(const std::string& owner_id, const std::string& id,
                                 const nlohmann::json& body, std::int64_t if_version);
  // Deletes the graph: its drawing and its share links go with it.
  Status Delete(const std::string& owner_id, const std::string& id);
  // Queues a build: the job, as the API shows it.
  Result<nlohmann::json> Run(const std::string& owner_id, const std::string& id);

  // The drawing; kConflict naming the status until a build finished.
  Result<GraphFile> Svg(const std::string& owner_id, const std::string& id);
  Result<GraphFile> Png(const std::string& owner_id, const std::string& id);
  // {nodes: [{id, name, family, depth, x, y, servers}], edges: [{from, to, via, endpoint}]}
  Result<nlohmann::json> Layout(const std::string& owner_id, const std::string& id);

  // Turns sharing on: a new link, {url, token}. Links given before stay valid.
  Result<nlohmann::json> Share(const std::string& owner_id, const std::string& id);
  // Turns sharing off and revokes every link given so far.
  Status Unshare(const std::string& owner_id, const std::string& id);
  // GET /public/graphs/<token> (the HTML page) or /public/graphs/<token>.svg: kNotFound for any
  // token that does not open a shared graph's drawing.
  Result<GraphFile> Public(const std::string& token_or_file);

  // The `graph` job (args {id}) and the `graph` task of schedules (args {id}).
  jobs::JobType Job();
  scheduler::TaskOffer Offer();

  bool disabled() const { return settings_.disabled; }

 private:
  struct Stored;
  Status Available() const;
  Result<Stored> Load(const std::string& owner_id, const std::string& id, bool with_drawing);
  // The drawing of a finished graph; kConflict otherwise.
  Result<Stored> Drawn(const std::string& owner_id, const std::string& id);
  Result<nlohmann::json> Write(const std::string& owner_id, const std::string& id,
                               const nlohmann::json& body, std::int64_t if_version);
  // Queues a build inside a transaction that changed the graph; returns the job id.
  Result<std::string> Queue(store::Session& session, const std::string& owner_id,
                            const std::string& id);
  Result<nlohmann::json> Build(jobs::JobContext& context);
  void DropPng(const std::string& id, const std::string& drawing_id);
  void Tell(const std::string& owner_id, const std::string& id);

  store::Store& store_;
  const Clock& clock_;
  jobs::Jobs& jobs_;
  notify::Events* events_;
  blobs::BlobStore& blobs_;
  const GraphSettings settings_;
};

}  // namespace maestro::analytics
