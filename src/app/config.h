// Config: every setting of Maestro, read once from the environment at start.
//
// Each field names its variable; defaults live here. LoadConfig() is table-driven (ConfigTable()
// lists every variable with its default and meaning, which also feeds `maestro config` and the
// README), reports every bad value at once, and warns about unknown MAESTRO_* names. Immutable
// after loading: share it by const reference.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace maestro::app {

enum class LogFormat { kText, kJson };

struct Config {
  // HTTP
  int port = 8888;                          // MAESTRO_PORT (0 = any free port, logged at start)
  std::string bind = "0.0.0.0";             // MAESTRO_BIND
  std::size_t http_threads = 0;             // MAESTRO_HTTP_THREADS (0 = two per core, at least 4)
  std::size_t max_body = 10 * 1024 * 1024;  // MAESTRO_MAX_BODY (bytes; suffixes k, M, KiB, MiB)
  std::vector<std::string> cors_origins;    // MAESTRO_CORS_ORIGINS (comma list, or *)
  // Storage
  std::string data_dir = "./data";  // MAESTRO_DATA_DIR
  std::string db_uri;               // MAESTRO_DB_URI (empty = SQLite file in data_dir)
  std::size_t db_pool = 8;          // MAESTRO_DB_POOL
  // Web UI
  std::string web_dir;          // MAESTRO_WEB_DIR (empty = found next to the binary)
  std::string theme = "lotus";  // THEME
  // Logs
  LogFormat log_format = LogFormat::kText;  // MAESTRO_LOG_FORMAT (text|json)
  std::string log_level = "info";           // MAESTRO_LOG_LEVEL
  // Accounts
  bool registration_open = true;  // MAESTRO_REGISTRATION (open|closed)
  int token_ttl_hours = 24;       // MAESTRO_TOKEN_TTL_HOURS: life of a login token
  std::string public_url = "http://localhost:8888";  // MAESTRO_PUBLIC_URL: links in mails
  // Inventory
  bool audit_disabled = false;  // MAESTRO_AUDIT_DISABLED: no history of changes
  // Reports
  bool report_disabled = false;  // MAESTRO_REPORT_DISABLED: report endpoints answer 503
  int report_result_qtd = 1500;  // MAESTRO_REPORT_RESULT_QTD: rows per page by default
  // Graphs
  bool analytics_disabled = false;  // MAESTRO_ANALYTICS_DISABLED: graph endpoints answer 503
  // Jobs and schedules
  std::size_t workers = 2;  // MAESTRO_WORKERS: job threads per serve or worker process
  std::string broker_url;   // MAESTRO_BROKER_URL (alias CELERY_BROKER_URL): amqp://… = RabbitMQ
  int timeout_s = 30;       // MAESTRO_TIMEOUT: seconds for a webhook call
  int job_lease_s = 15;     // MAESTRO_JOB_LEASE: seconds before a dead worker's job runs again
  // Uploads (avatars, later import files)
  std::string upload_type = "Local";     // MAESTRO_UPLOAD_TYPE (Local|S3)
  std::string local_dir;                 // LOCAL_DIR (empty = <data_dir>/uploads)
  std::string aws_access_key_id;         // AWS_ACCESS_KEY_ID
  std::string aws_secret_access_key;     // AWS_SECRET_ACCESS_KEY
  std::string aws_region = "us-east-1";  // AWS_DEFAULT_REGION
  std::string aws_bucket;                // AWS_S3_BUCKET_NAME
  std::string aws_endpoint;              // AWS_ENDPOINT (S3-compatible stores; empty = AWS)
  // Mail
  std::string smtp_host;         // SMTP_HOST (empty = mail is not sent, and logged)
  int smtp_port = 25;            // SMTP_PORT
  std::string smtp_sender;       // SMTP_SENDER
  std::string smtp_username;     // SMTP_USERNAME
  std::string smtp_password;     // SMTP_PASSWORD
  bool smtp_use_tls = false;     // SMTP_USETSL: implicit TLS (smtps)
  bool smtp_ignore_tls = false;  // SMTP_IGNORE: never try STARTTLS
  // Secrets: when unset, generated at first start and kept in <data_dir>/secrets.json (0600).
  std::string secret_jwt;         // MAESTRO_SECRETJWT: signs login tokens
  std::string secret_jwt_public;  // MAESTRO_SECRETJWT_PUBLIC: signs public share links
  std::string secret_jwt_forgot;  // MAESTRO_SECRETJWT_FORGOT: signs password-reset links
  std::string secret_key;         // MAESTRO_SECRET_KEY: 64 hex digits, encrypts stored credentials

  // The database URI in effect: db_uri, or the SQLite file in data_dir.
  std::string EffectiveDbUri() const;
  // The upload directory in effect: local_dir, or <data_dir>/uploads.
  std::string EffectiveLocalDir() const;
};

struct ConfigEntry {
  std::string_view name;          // environment variable
  std::string_view default_text;  // as shown to people
  std::string_view meaning;
  bool secret;  // never printed or logged
  Status (*apply)(Config&, std::string_view value);
  std::string (*show)(const Config&);  // current value as text
};

std::span<const ConfigEntry> ConfigTable();

struct LoadedConfig {
  Config config;
  std::vector<std::string> warnings;  // unknown MAESTRO_* names and the like
};

// Reads every variable of ConfigTable() from `env`. kValidationFailed listing every bad variable.
Result<LoadedConfig> LoadConfig(const std::map<std::string, std::string>& env);

// The process environment as a map (the only place that reads environ).
std::map<std::string, std::string> ProcessEnvironment();

// "name=value" lines of the effective configuration, secrets shown as "(set)" or "(generated)".
std::vector<std::string> DescribeConfig(const Config& config);

}  // namespace maestro::app
