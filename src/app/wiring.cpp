#include "app/wiring.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "analytics/graphs.h"
#include "auth/accounts.h"
#include "auth/roles.h"
#include "auth/teams.h"
#include "blobs/local_blob_store.h"
#include "blobs/s3_blob_store.h"
#include "common/json_util.h"
#include "common/metrics.h"
#include "common/secret_box.h"
#include "common/validation.h"
#include "common/version.h"
#include "discovery/connections.h"
#include "discovery/sync.h"
#include "http/pipeline.h"
#include "http/router.h"
#include "http/routes.h"
#include "http/server.h"
#include "http/static_files.h"
#include "http/websocket_hub.h"
#include "inventory/dependencies.h"
#include "inventory/import.h"
#include "inventory/options.h"
#include "inventory/records.h"
#include "inventory/registry.h"
#include "inventory/search.h"
#include "jobs/job_mailer.h"
#include "jobs/job_queue.h"
#include "jobs/jobs.h"
#include "jobs/workers.h"
#include "notify/events.h"
#include "notify/log_mailer.h"
#include "notify/smtp_mailer.h"
#include "reports/reports.h"
#include "scheduler/scheduler.h"
#include "scheduler/schedules.h"
#include "scheduler/webhook.h"
#include "store/open.h"

namespace maestro::app {
namespace {

// The web UI directory: MAESTRO_WEB_DIR, else web/dist in the working directory, else the
// source tree's web/dist beside build/bin/maestro, else share/maestro/web beside bin/.
std::string FindWebDir(const Config& config) {
  namespace fs = std::filesystem;
  if (!config.web_dir.empty()) return config.web_dir;
  std::error_code error;
  std::vector<fs::path> candidates = {fs::current_path(error) / "web" / "dist"};
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (!error) {
    candidates.push_back(exe.parent_path() / ".." / ".." / "web" / "dist");
    candidates.push_back(exe.parent_path() / ".." / "share" / "maestro" / "web");
  }
  for (const auto& candidate : candidates) {
    if (fs::is_regular_file(candidate / "index.html", error)) {
      return fs::weakly_canonical(candidate, error).string();
    }
  }
  return candidates.front().string();
}

double ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

std::size_t HttpThreads(const Config& config) {
  if (config.http_threads != 0) return config.http_threads;
  return std::max<std::size_t>(4, 2 * std::max(1u, std::thread::hardware_concurrency()));
}

Result<std::unique_ptr<store::Store>> OpenAndMigrate(const Config& config,
                                                     store::MigrationReport& report) {
  auto store = store::OpenStore({.uri = config.EffectiveDbUri(), .pool_size = config.db_pool});
  if (!store) return Fail(store.error());
  auto migrated = store::Migrate(**store);
  if (!migrated) return Fail(migrated.error());
  report = *migrated;
  return store;
}

std::unique_ptr<blobs::BlobStore> MakeBlobStore(const Config& config) {
  if (config.upload_type == "S3") {
    return std::make_unique<blobs::S3BlobStore>(blobs::S3BlobSettings{
        .endpoint = config.aws_endpoint,
        .region = config.aws_region,
        .bucket = config.aws_bucket,
        .access_key = config.aws_access_key_id,
        .secret_key = config.aws_secret_access_key,
    });
  }
  return std::make_unique<blobs::LocalBlobStore>(
      blobs::LocalBlobSettings{.dir = config.EffectiveLocalDir()});
}

std::unique_ptr<notify::Mailer> MakeMailDelivery(const Config& config) {
  if (config.smtp_host.empty()) return std::make_unique<notify::LogMailer>();
  std::string sender = config.smtp_sender;
  if (sender.empty()) {
    // maestro@<host of the public URL>
    std::string host = config.public_url.substr(config.public_url.find("://") + 3);
    host = host.substr(0, host.find_first_of(":/"));
    sender = "Maestro <maestro@" + host + ">";
  }
  return std::make_unique<notify::SmtpMailer>(notify::SmtpSettings{
      .host = config.smtp_host,
      .port = config.smtp_port,
      .sender = sender,
      .username = config.smtp_username,
      .password = config.smtp_password,
      .use_tls = config.smtp_use_tls,
      .ignore_tls = config.smtp_ignore_tls,
  });
}

// `noop`: waits `sleep_ms` (at most a minute) in steps, reporting progress; for benchmarks and
// checks of a deployment's workers.
jobs::JobType NoopJob() {
  return {.name = "noop",
          .handler = [](jobs::JobContext& context) -> Result<nlohmann::json> {
            const auto sleep_ms = std::clamp<std::int64_t>(
                context.args().value("sleep_ms", std::int64_t{0}), 0, 60000);
            for (std::int64_t slept = 0; slept < sleep_ms; slept += 100) {
              if (auto going = context.Progress(slept, sleep_ms, "sleeping"); !going) {
                return Fail(going.error());
              }
              std::this_thread::sleep_for(
                  std::chrono::milliseconds(std::min<std::int64_t>(100, sleep_ms - slept)));
            }
            return nlohmann::json{{"slept_ms", sleep_ms}, {"attempt", context.job().attempts}};
          },
          .timeout = std::chrono::seconds(120)};
}

// `import`: the uploaded file (a blob) imported as its owner, with progress; the blob is removed
// once the import ended for good.
jobs::JobType ImportJob(inventory::Importer& importer, auth::Accounts& accounts,
                        blobs::BlobStore& blobs) {
  return {.name = "import",
          .handler = [&](jobs::JobContext& context) -> Result<nlohmann::json> {
            const std::string blob = context.args().value("blob", "");
            auto caller = accounts.PrincipalOf(context.job().owner_id);
            if (!caller) return Fail(caller.error());
            auto bytes = blobs.Get(blob);
            if (!bytes) {
              if (bytes.error().code == ErrorCode::kNotFound) {
                return Fail(ErrorCode::kNotFound, "the uploaded file is gone: upload it again");
              }
              return Fail(bytes.error());
            }
            auto file = ParseJson(bytes->bytes);
            if (!file) return Fail(ErrorCode::kBadRequest, "the file is not JSON");
            auto report = importer.ImportJson(
                *caller, *file, context.args().value("datacenter", ""), [&](int done, int total) {
                  return context.Progress(done, total, "importing").has_value();  // false: stop
                });
            if (!report && report.error().code == ErrorCode::kUnavailable) return report;
            (void)blobs.Delete(blob);
            return report;
          },
          .timeout = std::chrono::seconds(3600)};
}

}  // namespace

struct Application::Parts {
  const Config& config;
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  store::MigrationReport migration;
  MetricsRegistry metrics;
  std::unique_ptr<blobs::BlobStore> blobs;
  std::unique_ptr<notify::Mailer> mail_delivery;
  std::unique_ptr<notify::Events> events;
  std::unique_ptr<jobs::Jobs> jobs;
  std::unique_ptr<jobs::JobQueue> queue;
  std::unique_ptr<jobs::JobMailer> mail;
  std::unique_ptr<scheduler::Schedules> schedules;
  std::optional<SecretBox> secret_box;
  std::unique_ptr<discovery::Connections> connections;
  std::unique_ptr<discovery::SyncEngine> sync;
  std::unique_ptr<reports::Reports> reports;
  std::unique_ptr<analytics::Graphs> graphs;
  std::unique_ptr<jobs::Workers> workers;
  std::unique_ptr<scheduler::Scheduler> scheduler;
  std::unique_ptr<http::WebSocketHub> hub;
  Roles roles;
  std::unique_ptr<auth::Accounts> accounts;
  std::unique_ptr<auth::Teams> teams;
  std::unique_ptr<inventory::Records> records;
  std::unique_ptr<inventory::Search> search;
  std::unique_ptr<inventory::Importer> importer;
  std::unique_ptr<inventory::Dependencies> dependencies;
  std::unique_ptr<inventory::Options> options;
  std::optional<http::StaticFiles> web;
  std::unique_ptr<http::Services> services;
  http::Router router;
  std::unique_ptr<http::Pipeline> pipeline;
  std::unique_ptr<http::HttpServer> server;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

Application::Application(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Application::~Application() { Stop(); }

Result<std::unique_ptr<Application>> Application::Create(const Config& config, Roles roles) {
  std::unique_ptr<Parts> parts(new Parts{.config = config});
  parts->roles = roles;
  auto store = OpenAndMigrate(config, parts->migration);
  if (!store) return Fail(store.error());
  parts->store = std::move(*store);
  spdlog::info("database {} at schema version {}", parts->store->Describe(), parts->migration.to);

  const std::string web_dir = FindWebDir(config);
  if (auto web = http::StaticFiles::Load(web_dir)) {
    parts->web = std::move(*web);
    spdlog::info("web UI from {} ({} files)", web_dir, parts->web->file_count());
  } else {
    spdlog::warn("web UI not found ({}); run ./scripts/build or set MAESTRO_WEB_DIR",
                 web.error().message);
  }

  MetricsRegistry& metrics = parts->metrics;
  metrics.Describe("maestro_process_resident_memory_bytes", MetricType::kGauge,
                   "Resident memory of this process.");
  metrics.Describe("maestro_process_uptime_seconds", MetricType::kGauge,
                   "Seconds since this process started.");
  const auto started = parts->started;
  metrics.OnRender([started](MetricsRegistry& registry) {
    registry.Set("maestro_process_resident_memory_bytes", {}, ResidentBytes());
    registry.Set("maestro_process_uptime_seconds", {},
                 std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  });

  parts->blobs = MakeBlobStore(config);
  parts->mail_delivery = MakeMailDelivery(config);
  parts->events =
      std::make_unique<notify::Events>(*parts->store, parts->clock, auth::EventReadRule());
  parts->jobs = std::make_unique<jobs::Jobs>(
      *parts->store, parts->clock,
      jobs::JobSettings{.lease = std::chrono::seconds(config.job_lease_s)});
  if (config.broker_url.empty()) {
    parts->queue = jobs::MakeLocalQueue(*parts->jobs);
  } else {
    auto queue = jobs::MakeAmqpQueue(*parts->jobs, {.url = config.broker_url});
    if (!queue) return Fail(queue.error());
    parts->queue = std::move(*queue);
  }
  parts->jobs->SetQueue(parts->queue.get());
  metrics.Describe("maestro_jobs_queued", MetricType::kGauge,
                   "Jobs waiting in the queue (all nodes: read from the database).");
  metrics.OnRender([jobs = parts->jobs.get()](MetricsRegistry& registry) {
    if (auto queued = jobs->QueuedCount()) {
      registry.Set("maestro_jobs_queued", {}, static_cast<double>(*queued));
    }
  });
  parts->mail = std::make_unique<jobs::JobMailer>(*parts->jobs);
  spdlog::info("uploads in {}; mail {}", parts->blobs->Describe(),
               config.smtp_host.empty()
                   ? "logged, not sent (SMTP_HOST is not set)"
                   : fmt::format("through {}:{}", config.smtp_host, config.smtp_port));
  parts->accounts = std::make_unique<auth::Accounts>(
      *parts->store, parts->clock, *parts->mail, *parts->blobs,
      auth::AccountSettings{.jwt_secret = config.secret_jwt,
                            .token_ttl = std::chrono::hours(config.token_ttl_hours),
                            .registration_open = config.registration_open,
                            .public_url = config.public_url,
                            .allowed_origins = config.cors_origins});
  parts->teams = std::make_unique<auth::Teams>(*parts->store, parts->clock, *parts->blobs);
  parts->records = std::make_unique<inventory::Records>(
      *parts->store, parts->clock, inventory::DefaultRegistry(),
      inventory::RecordSettings{.audit = !config.audit_disabled});
  if (auto filled = parts->records->FillSearchText(); !filled) {
    return Fail(filled.error());
  } else if (*filled > 0) {
    spdlog::info("search text made for {} records written before it existed", *filled);
  }
  parts->search = std::make_unique<inventory::Search>(*parts->store, inventory::DefaultRegistry());
  parts->importer =
      std::make_unique<inventory::Importer>(*parts->records, inventory::DefaultRegistry());
  parts->dependencies = std::make_unique<inventory::Dependencies>(*parts->store, *parts->records,
                                                                  inventory::DefaultRegistry());
  parts->options = std::make_unique<inventory::Options>(*parts->store, parts->clock);
  parts->schedules = std::make_unique<scheduler::Schedules>(*parts->store, parts->clock,
                                                            *parts->jobs, parts->events.get());
  parts->schedules->Offer(scheduler::WebhookOffer());
  // `serve` always has a key (generated into the data dir when not configured).
  if (!config.secret_key.empty()) {
    auto box = SecretBox::FromHex(config.secret_key);
    if (!box) return Fail(ErrorCode::kBadRequest, "MAESTRO_SECRET_KEY: " + box.error().message);
    parts->secret_box = std::move(*box);
  }
  parts->connections = std::make_unique<discovery::Connections>(
      *parts->store, parts->clock, *parts->records, *parts->schedules, *parts->jobs,
      parts->events.get(), parts->secret_box ? &*parts->secret_box : nullptr,
      discovery::ConnectorSettings{.timeout = std::chrono::seconds(config.timeout_s),
                                   .blobs = parts->blobs.get()});
  parts->schedules->Offer(parts->connections->SyncOffer());
  parts->sync = std::make_unique<discovery::SyncEngine>(
      *parts->store, parts->clock, inventory::DefaultRegistry(), *parts->records,
      *parts->connections, *parts->accounts, *parts->schedules);
  parts->reports = std::make_unique<reports::Reports>(
      *parts->store, parts->clock, inventory::DefaultRegistry(), *parts->jobs, parts->events.get(),
      reports::ReportSettings{
          .disabled = config.report_disabled,
          .page_size = config.report_result_qtd,
          .temp_dir = (std::filesystem::path(config.data_dir) / "exports").string()});
  if (!config.report_disabled) parts->schedules->Offer(parts->reports->Offer());
  parts->graphs = std::make_unique<analytics::Graphs>(
      *parts->store, parts->clock, *parts->jobs, parts->events.get(), *parts->blobs,
      analytics::GraphSettings{.disabled = config.analytics_disabled,
                               .share_secret = config.secret_jwt_public,
                               .public_url = config.public_url});
  if (!config.analytics_disabled) parts->schedules->Offer(parts->graphs->Offer());
  if (roles.worker) {
    parts->workers =
        std::make_unique<jobs::Workers>(*parts->jobs, *parts->queue, parts->events.get(), &metrics,
                                        jobs::WorkerSettings{.threads = config.workers});
    parts->workers->Register(NoopJob());
    parts->workers->Register(scheduler::WebhookJob(std::chrono::seconds(config.timeout_s)));
    parts->workers->Register(ImportJob(*parts->importer, *parts->accounts, *parts->blobs));
    parts->workers->Register(jobs::MailJob(*parts->mail_delivery));
    parts->workers->Register(parts->sync->Job());
    parts->workers->Register(parts->reports->Job());
    parts->workers->Register(parts->graphs->Job());
    parts->workers->OnFinished([schedules = parts->schedules.get()](const jobs::FinishedJob& job) {
      schedules->JobFinished(job);
    });
  }
  if (roles.scheduler) {
    parts->scheduler = std::make_unique<scheduler::Scheduler>(
        *parts->store, parts->clock, *parts->schedules, parts->events.get());
  }
  if (!roles.http) return std::unique_ptr<Application>(new Application(std::move(parts)));

  parts->services = std::make_unique<http::Services>(http::Services{
      .store = *parts->store,
      .metrics = metrics,
      .accounts = *parts->accounts,
      .teams = *parts->teams,
      .registry = inventory::DefaultRegistry(),
      .records = *parts->records,
      .search = *parts->search,
      .importer = *parts->importer,
      .options = *parts->options,
      .jobs = *parts->jobs,
      .queue = *parts->queue,
      .schedules = *parts->schedules,
      .connections = *parts->connections,
      .reports = *parts->reports,
      .graphs = *parts->graphs,
      .dependencies = *parts->dependencies,
      .events = *parts->events,
      .blobs = *parts->blobs,
      .web = parts->web ? &*parts->web : nullptr,
      .info = {.version = std::string(kVersion), .theme = config.theme, .web_dir = web_dir},
  });
  http::AddRoutes(parts->router, *parts->services);
  parts->pipeline = std::make_unique<http::Pipeline>(
      parts->router, metrics,
      http::PipelineSettings{.max_body = config.max_body, .cors_origins = config.cors_origins},
      [accounts = parts->accounts.get()](std::string_view authorization) {
        return accounts->Authenticate(authorization);
      });
  parts->hub = std::make_unique<http::WebSocketHub>(
      [accounts = parts->accounts.get()](std::string_view authorization) {
        return accounts->Authenticate(authorization);
      },
      &metrics);
  parts->events->Subscribe(
      [hub = parts->hub.get()](const notify::Delivery& delivery) { hub->Deliver(delivery); });
  parts->server = std::make_unique<http::HttpServer>(
      http::ServerSettings{
          .address = config.bind,
          .port = static_cast<std::uint16_t>(config.port),
          .threads = HttpThreads(config),
          .hard_body_limit = std::max<std::uint64_t>(config.max_body, 64ull * 1024 * 1024),
      },
      *parts->pipeline, parts->hub.get());
  return std::unique_ptr<Application>(new Application(std::move(parts)));
}

Status Application::Start() {
  if (auto listening = parts_->events->Start(); !listening) return listening;
  if (parts_->server) {
    if (auto started = parts_->server->Start(); !started) return started;
    spdlog::info("maestro {} listening on http://{}:{} ({} HTTP threads)", kVersion,
                 parts_->config.bind, port(), HttpThreads(parts_->config));
  }
  if (parts_->workers) {
    if (auto started = parts_->workers->Start(); !started) return started;
  }
  if (parts_->scheduler) parts_->scheduler->Start();
  return {};
}

void Application::Stop() {
  if (!parts_) return;
  if (parts_->server) parts_->server->Stop();
  if (parts_->scheduler) parts_->scheduler->Stop();
  if (parts_->workers) parts_->workers->Stop();  // running jobs are asked to stop
  if (parts_->events) parts_->events->Stop();
}

std::uint16_t Application::port() const { return parts_->server ? parts_->server->port() : 0; }

const store::MigrationReport& Application::migration() const { return parts_->migration; }

notify::Events& Application::events() { return *parts_->events; }

Result<std::string> CreateUser(const Config& config, const std::string& name,
                               const std::string& email, const std::string& password, bool admin) {
  store::MigrationReport report;
  auto store = OpenAndMigrate(config, report);
  if (!store) return Fail(store.error());
  SystemClock clock;
  notify::LogMailer mailer;
  auto blobs = MakeBlobStore(config);
  auth::Accounts accounts(**store, clock, mailer, *blobs,
                          auth::AccountSettings{.jwt_secret = config.secret_jwt,
                                                .registration_open = false,
                                                .public_url = config.public_url});
  // The command line acts as an instance admin: it may create users and make them admins.
  const auth::Principal console{.user_id = "console", .name = "maestro admin", .is_admin = true};
  auto user = accounts.Register(
      {{"name", name}, {"email", email}, {"password", password}, {"is_admin", admin}}, &console);
  if (!user) return Fail(user.error());
  return user->dump(2);
}

Result<std::string> ImportFile(const Config& config, const std::string& path,
                               const std::string& email, const std::string& datacenter,
                               const std::function<void(int done, int total)>& progress) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(ErrorCode::kNotFound, fmt::format("cannot read {}", path));
  std::stringstream text;
  text << in.rdbuf();
  auto file = ParseJson(text.str());
  if (!file)
    return Fail(ErrorCode::kBadRequest,
                fmt::format("{} is not JSON: {}", path, file.error().message));
  store::MigrationReport report;
  auto store = OpenAndMigrate(config, report);
  if (!store) return Fail(store.error());
  auto user =
      (*store)->Query("SELECT id, name, is_admin FROM users WHERE email_key = ?", {Lower(email)});
  if (!user) return Fail(user.error());
  if (user->empty()) {
    return Fail(
        ErrorCode::kNotFound,
        fmt::format("no user {}: records are imported as a user (see maestro admin create-user)",
                    email));
  }
  const auth::Principal caller{.user_id = store::AsString(user->At(0, "id")),
                               .name = store::AsString(user->At(0, "name")),
                               .is_admin = store::AsBool(user->At(0, "is_admin"))};
  SystemClock clock;
  inventory::Records records(**store, clock, inventory::DefaultRegistry(),
                             inventory::RecordSettings{.audit = !config.audit_disabled});
  inventory::Importer importer(records, inventory::DefaultRegistry());
  auto result = importer.ImportJson(caller, *file, datacenter, [&](int done, int total) {
    progress(done, total);
    return true;
  });
  if (!result) return Fail(result.error());
  return result->dump(2);
}

Result<store::MigrationReport> MigrateDatabase(const Config& config) {
  store::MigrationReport report;
  auto store = OpenAndMigrate(config, report);
  if (!store) return Fail(store.error());
  return report;
}

}  // namespace maestro::app
