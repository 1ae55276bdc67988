// Reports (API.md, Reports; DATA-MODEL.md, reports): definitions owned by their creator, generated
// by a `report` job into stored rows, read in pages, aggregated for charts, exported as files.
//
// Generation runs as the report's owner: a record shows in a report only when the owner can read
// it, checked in SQL at every level of a pivot. Creating, replacing or changing a report, and
// POST …/run, queue a job; the report's status goes queued → running → finished | empty | failed
// with a message, and `reports-update` / `reports-<id>` events tell the owner's UI. A generation
// writes its rows under a result id of its own and switches the report to it when done, so pages
// read meanwhile stay stable, and a generation superseded by a newer one is dropped.
//
// Thread-safe: state is in the Store.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "inventory/registry.h"
#include "jobs/jobs.h"
#include "jobs/workers.h"
#include "notify/events.h"
#include "reports/definition.h"
#include "reports/exports.h"
#include "scheduler/schedules.h"
#include "store/store.h"

namespace maestro::reports {

struct ReportSettings {
  bool disabled = false;  // MAESTRO_REPORT_DISABLED: every call answers kUnavailable (503)
  int page_size = 1500;   // MAESTRO_REPORT_RESULT_QTD: rows per page when no limit is given
  std::string temp_dir;   // where export files are written before they are sent
};

// An export written to a file, ready to send (the caller removes the file).
struct ExportFile {
  std::string path;
  std::string filename;  // for Content-Disposition
  std::string content_type;
};

class Reports {
 public:
  Reports(store::Store& store, const Clock& clock, const inventory::Registry& registry,
          jobs::Jobs& jobs, notify::Events* events, ReportSettings settings);

  Result<nlohmann::json> List(const std::string& owner_id, int page, int limit);
  Result<nlohmann::json> Get(const std::string& owner_id, const std::string& id);
  // Checks the definition (422 naming fields) and queues its generation.
  Result<nlohmann::json> Create(const std::string& owner_id, const nlohmann::json& body);
  // JSON merge patch / whole replacement; If-Match through `if_version` (0 = none). Queues a new
  // generation.
  Result<nlohmann::json> Patch(const std::string& owner_id, const std::string& id,
                               const nlohmann::json& patch, std::int64_t if_version);
  Result<nlohmann::json> Replace(const std::string& owner_id, const std::string& id,
                                 const nlohmann::json& body, std::int64_t if_version);
  Status Delete(const std::string& owner_id, const std::string& id);
  // Queues a generation: the job, as the API shows it.
  Result<nlohmann::json> Run(const std::string& owner_id, const std::string& id);

  // GET …/rows: query parameters page, limit, sort (a column, "-" for descending), q (text in
  // any value). {items, total, page, limit, columns}.
  Result<nlohmann::json> Rows(const std::string& owner_id, const std::string& id,
                              const std::vector<std::pair<std::string, std::string>>& query);
  // GET …/aggregate?by=<column or a path in it>&limit=: {items: [{key, count}], by, total,
  // others}, the biggest counts first; lists count each item.
  Result<nlohmann::json> Aggregate(const std::string& owner_id, const std::string& id,
                                   const std::vector<std::pair<std::string, std::string>>& query);
  // GET …/export?format=: the stored rows written to a file.
  Result<ExportFile> Export(const std::string& owner_id, const std::string& id,
                            const std::vector<std::pair<std::string, std::string>>& query);

  // The `report` job (args {id}) and the `report` task of schedules (args {id}).
  jobs::JobType Job();
  scheduler::TaskOffer Offer();

  bool disabled() const { return settings_.disabled; }

 private:
  struct Stored;
  Status Available() const;
  Result<Stored> Load(const std::string& owner_id, const std::string& id);
  Result<nlohmann::json> Write(const std::string& owner_id, const std::string& id,
                               const nlohmann::json& body, std::int64_t if_version);
  // Queues a generation inside a transaction that changed the report; returns the job id.
  Result<std::string> Queue(store::Session& session, const std::string& owner_id,
                            const std::string& id);
  Result<nlohmann::json> Generate(jobs::JobContext& context);
  // Where a generation's time went (seconds), for the job's result.
  struct Timing {
    double query = 0;  // reading the paths and their values
    double build = 0;  // making result rows and CSV lines, and lookups by id
    double write = 0;  // storing the rows
  };
  Status Fill(jobs::JobContext& context, const Definition& definition, const std::string& owner_id,
              const std::string& result_id, std::int64_t& total, Timing& timing);
  void Tell(const std::string& owner_id, const std::string& id);

  store::Store& store_;
  const Clock& clock_;
  const inventory::Registry& registry_;
  jobs::Jobs& jobs_;
  notify::Events* events_;
  const ReportSettings settings_;
};

}  // namespace maestro::reports
