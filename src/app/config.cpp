#include "app/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>

#include "store/open.h"

extern char** environ;

namespace maestro::app {
namespace {

constexpr std::array<std::string_view, 7> kThemes = {"lotus", "gold", "wine",  "blue",
                                                     "green", "dark", "orange"};
constexpr std::array<std::string_view, 6> kLevels = {"trace", "debug", "info",
                                                     "warn",  "error", "off"};

Status Invalid(std::string_view problem) {
  return Fail(ErrorCode::kValidationFailed, std::string(problem));
}

Result<std::uint64_t> ParseUnsigned(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
    return Fail(ErrorCode::kValidationFailed, fmt::format("'{}' is not a whole number", text));
  }
  return value;
}

// "10485760", "512k", "10M", "10MiB", "1G".
Result<std::uint64_t> ParseBytes(std::string_view text) {
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  auto number = ParseUnsigned(text.substr(0, digits));
  if (!number) return Fail(ErrorCode::kValidationFailed, fmt::format("'{}' is not a size", text));
  std::string unit(text.substr(digits));
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "k" || unit == "kb" || unit == "kib") scale = 1024;
  if (unit == "m" || unit == "mb" || unit == "mib") scale = 1024 * 1024;
  if (unit == "g" || unit == "gb" || unit == "gib") scale = 1024 * 1024 * 1024;
  if (scale == 0) {
    return Fail(ErrorCode::kValidationFailed,
                fmt::format("'{}' has an unknown unit (use bytes, k, M or G)", text));
  }
  return *number * scale;
}

Status NonEmpty(std::string_view value) {
  if (value.empty()) return Invalid("must not be empty");
  return {};
}

Status SecretOfLength(std::string_view value) {
  if (value.size() < 32) return Invalid("must be at least 32 characters");
  return {};
}

std::string Shown(const std::string& value) { return value; }

Status ParseBool(std::string_view text, bool& out) {
  if (text == "true" || text == "1" || text == "yes") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no" || text.empty()) {
    out = false;
  } else {
    return Invalid("must be true or false");
  }
  return {};
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

constexpr ConfigEntry kTable[] = {
    {"MAESTRO_PORT", "8888", "TCP port of the API, web UI and WebSocket (0 = any free port)", false,
     [](Config& c, std::string_view v) -> Status {
       auto port = ParseUnsigned(v);
       if (!port || *port > 65535) return Invalid("must be a port number, 0 to 65535");
       c.port = static_cast<int>(*port);
       return {};
     },
     [](const Config& c) { return std::to_string(c.port); }},
    {"MAESTRO_BIND", "0.0.0.0", "Address to listen on (127.0.0.1 = this machine only)", false,
     [](Config& c, std::string_view v) -> Status {
       if (auto ok = NonEmpty(v); !ok) return ok;
       c.bind = v;
       return {};
     },
     [](const Config& c) { return Shown(c.bind); }},
    {"MAESTRO_HTTP_THREADS", "0 (two per core, at least 4)", "Threads answering HTTP requests",
     false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n > 256) return Invalid("must be a number from 0 to 256");
       c.http_threads = *n;
       return {};
     },
     [](const Config& c) { return std::to_string(c.http_threads); }},
    {"MAESTRO_MAX_BODY", "10MiB", "Largest request body accepted (uploads have their own limit)",
     false,
     [](Config& c, std::string_view v) -> Status {
       auto bytes = ParseBytes(v);
       if (!bytes) return Fail(bytes.error());
       if (*bytes < 1024) return Invalid("must be at least 1k");
       if (*bytes > 1024ull * 1024 * 1024) return Invalid("must be at most 1G");
       c.max_body = *bytes;
       return {};
     },
     [](const Config& c) { return std::to_string(c.max_body); }},
    {"MAESTRO_CORS_ORIGINS", "(none)",
     "Origins allowed to call the API from a browser, comma-separated, or *", false,
     [](Config& c, std::string_view v) -> Status {
       c.cors_origins = SplitList(v);
       return {};
     },
     [](const Config& c) { return JoinList(c.cors_origins); }},
    {"MAESTRO_DATA_DIR", "./data", "Where the SQLite database and the generated secrets live",
     false,
     [](Config& c, std::string_view v) -> Status {
       if (auto ok = NonEmpty(v); !ok) return ok;
       c.data_dir = v;
       return {};
     },
     [](const Config& c) { return Shown(c.data_dir); }},
    {"MAESTRO_DB_URI", "sqlite:<data dir>/maestro.db",
     "Database: sqlite:PATH, or postgresql://user:password@host:port/db for PostgreSQL", false,
     [](Config& c, std::string_view v) -> Status {
       c.db_uri = v;
       return {};
     },
     [](const Config& c) { return store::RedactUri(c.EffectiveDbUri()); }},
    {"MAESTRO_DB_POOL", "8", "Database connections per process at most (SQLite uses up to 4)",
     false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n < 1 || *n > 1000) return Invalid("must be a number from 1 to 1000");
       c.db_pool = *n;
       return {};
     },
     [](const Config& c) { return std::to_string(c.db_pool); }},
    {"MAESTRO_WEB_DIR", "web/dist (beside the binary or the working directory)",
     "The built web UI to serve", false,
     [](Config& c, std::string_view v) -> Status {
       c.web_dir = v;
       return {};
     },
     [](const Config& c) { return Shown(c.web_dir); }},
    {"THEME", "lotus", "Default UI theme: lotus, gold, wine, blue, green, dark or orange", false,
     [](Config& c, std::string_view v) -> Status {
       if (std::find(kThemes.begin(), kThemes.end(), v) == kThemes.end()) {
         return Invalid("must be one of lotus, gold, wine, blue, green, dark, orange");
       }
       c.theme = v;
       return {};
     },
     [](const Config& c) { return Shown(c.theme); }},
    {"MAESTRO_LOG_FORMAT", "text", "Log format: text or json (one JSON object per line)", false,
     [](Config& c, std::string_view v) -> Status {
       if (v == "text") {
         c.log_format = LogFormat::kText;
       } else if (v == "json") {
         c.log_format = LogFormat::kJson;
       } else {
         return Invalid("must be text or json");
       }
       return {};
     },
     [](const Config& c) -> std::string {
       return c.log_format == LogFormat::kJson ? "json" : "text";
     }},
    {"MAESTRO_LOG_LEVEL", "info", "Log level: trace, debug, info, warn, error or off", false,
     [](Config& c, std::string_view v) -> Status {
       if (std::find(kLevels.begin(), kLevels.end(), v) == kLevels.end()) {
         return Invalid("must be one of trace, debug, info, warn, error, off");
       }
       c.log_level = v;
       return {};
     },
     [](const Config& c) { return Shown(c.log_level); }},
    {"MAESTRO_REGISTRATION", "open",
     "open: anyone may register; closed: only instance admins create users", false,
     [](Config& c, std::string_view v) -> Status {
       if (v != "open" && v != "closed") return Invalid("must be open or closed");
       c.registration_open = v == "open";
       return {};
     },
     [](const Config& c) -> std::string { return c.registration_open ? "open" : "closed"; }},
    {"MAESTRO_TOKEN_TTL_HOURS", "24", "Hours a login token stays valid", false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n < 1 || *n > 24 * 90) return Invalid("must be a number of hours from 1 to 2160");
       c.token_ttl_hours = static_cast<int>(*n);
       return {};
     },
     [](const Config& c) { return std::to_string(c.token_ttl_hours); }},
    {"MAESTRO_PUBLIC_URL", "http://localhost:8888",
     "The address users reach Maestro at, for links in mails and graph share links", false,
     [](Config& c, std::string_view v) -> Status {
       if (!v.starts_with("http://") && !v.starts_with("https://")) {
         return Invalid("must start with http:// or https://");
       }
       c.public_url = v;
       while (c.public_url.size() > 8 && c.public_url.back() == '/') c.public_url.pop_back();
       return {};
     },
     [](const Config& c) { return Shown(c.public_url); }},
    {"MAESTRO_AUDIT_DISABLED", "false", "true: keep no history of changes to records", false,
     [](Config& c, std::string_view v) -> Status { return ParseBool(v, c.audit_disabled); },
     [](const Config& c) -> std::string { return c.audit_disabled ? "true" : "false"; }},
    {"MAESTRO_REPORT_DISABLED", "false", "true: the report endpoints answer 503", false,
     [](Config& c, std::string_view v) -> Status { return ParseBool(v, c.report_disabled); },
     [](const Config& c) -> std::string { return c.report_disabled ? "true" : "false"; }},
    {"MAESTRO_REPORT_RESULT_QTD", "1500", "Report rows per page when a request gives no limit",
     false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n < 1 || *n > 10000) return Invalid("must be a number from 1 to 10000");
       c.report_result_qtd = static_cast<int>(*n);
       return {};
     },
     [](const Config& c) { return std::to_string(c.report_result_qtd); }},
    {"MAESTRO_ANALYTICS_DISABLED", "false",
     "true: the graph endpoints and public graph pages answer 503", false,
     [](Config& c, std::string_view v) -> Status { return ParseBool(v, c.analytics_disabled); },
     [](const Config& c) -> std::string { return c.analytics_disabled ? "true" : "false"; }},
    {"MAESTRO_WORKERS", "2", "Job threads in each serve or worker process", false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n < 1 || *n > 256) return Invalid("must be a number from 1 to 256");
       c.workers = *n;
       return {};
     },
     [](const Config& c) { return std::to_string(c.workers); }},
    {"CELERY_BROKER_URL", "(empty)", "Alias of MAESTRO_BROKER_URL, which wins when both are set",
     true,
     [](Config& c, std::string_view v) -> Status {
       if (!v.empty() && !v.starts_with("amqp://")) return Invalid("must start with amqp://");
       if (c.broker_url.empty()) c.broker_url = v;
       return {};
     },
     [](const Config& c) { return Shown(c.broker_url); }},
    {"MAESTRO_BROKER_URL", "(empty)",
     "amqp://user:password@host:5672/vhost: jobs go through RabbitMQ; empty: through the database",
     true,
     [](Config& c, std::string_view v) -> Status {
       if (!v.empty() && !v.starts_with("amqp://")) return Invalid("must start with amqp://");
       c.broker_url = v;
       return {};
     },
     [](const Config& c) { return Shown(c.broker_url); }},
    {"MAESTRO_TIMEOUT", "30", "Seconds a webhook call may take", false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n < 1 || *n > 3600) return Invalid("must be a number of seconds from 1 to 3600");
       c.timeout_s = static_cast<int>(*n);
       return {};
     },
     [](const Config& c) { return std::to_string(c.timeout_s); }},
    {"MAESTRO_JOB_LEASE", "15",
     "Seconds after which the job of a worker that stopped answering runs again", false,
     [](Config& c, std::string_view v) -> Status {
       auto n = ParseUnsigned(v);
       if (!n || *n < 2 || *n > 3600) return Invalid("must be a number of seconds from 2 to 3600");
       c.job_lease_s = static_cast<int>(*n);
       return {};
     },
     [](const Config& c) { return std::to_string(c.job_lease_s); }},
    {"MAESTRO_UPLOAD_TYPE", "Local", "Where uploads are kept: Local (LOCAL_DIR) or S3", false,
     [](Config& c, std::string_view v) -> Status {
       if (v != "Local" && v != "S3") return Invalid("must be Local or S3");
       c.upload_type = v;
       return {};
     },
     [](const Config& c) { return Shown(c.upload_type); }},
    {"LOCAL_DIR", "<data dir>/uploads", "Upload directory when MAESTRO_UPLOAD_TYPE=Local", false,
     [](Config& c, std::string_view v) -> Status {
       c.local_dir = v;
       return {};
     },
     [](const Config& c) { return c.EffectiveLocalDir(); }},
    {"AWS_ACCESS_KEY_ID", "(none)", "S3 uploads: access key", false,
     [](Config& c, std::string_view v) -> Status {
       c.aws_access_key_id = v;
       return {};
     },
     [](const Config& c) { return Shown(c.aws_access_key_id); }},
    {"AWS_SECRET_ACCESS_KEY", "(none)", "S3 uploads: secret key", true,
     [](Config& c, std::string_view v) -> Status {
       c.aws_secret_access_key = v;
       return {};
     },
     [](const Config& c) { return Shown(c.aws_secret_access_key); }},
    {"AWS_DEFAULT_REGION", "us-east-1", "S3 uploads: region", false,
     [](Config& c, std::string_view v) -> Status {
       if (auto ok = NonEmpty(v); !ok) return ok;
       c.aws_region = v;
       return {};
     },
     [](const Config& c) { return Shown(c.aws_region); }},
    {"AWS_S3_BUCKET_NAME", "(none)", "S3 uploads: bucket", false,
     [](Config& c, std::string_view v) -> Status {
       c.aws_bucket = v;
       return {};
     },
     [](const Config& c) { return Shown(c.aws_bucket); }},
    {"AWS_ENDPOINT", "(AWS)",
     "S3 uploads: endpoint of an S3-compatible store (e.g. https://fra1.digitaloceanspaces.com)",
     false,
     [](Config& c, std::string_view v) -> Status {
       if (!v.empty() && !v.starts_with("http://") && !v.starts_with("https://")) {
         return Invalid("must start with http:// or https://");
       }
       c.aws_endpoint = v;
       return {};
     },
     [](const Config& c) { return Shown(c.aws_endpoint); }},
    {"SMTP_HOST", "(none: mails are logged, not sent)", "Mail server for password-reset mails",
     false,
     [](Config& c, std::string_view v) -> Status {
       c.smtp_host = v;
       return {};
     },
     [](const Config& c) { return Shown(c.smtp_host); }},
    {"SMTP_PORT", "25", "Mail server port", false,
     [](Config& c, std::string_view v) -> Status {
       auto port = ParseUnsigned(v);
       if (!port || *port < 1 || *port > 65535) return Invalid("must be a port number");
       c.smtp_port = static_cast<int>(*port);
       return {};
     },
     [](const Config& c) { return std::to_string(c.smtp_port); }},
    {"SMTP_SENDER", "maestro@<host of MAESTRO_PUBLIC_URL>", "From address of mails", false,
     [](Config& c, std::string_view v) -> Status {
       c.smtp_sender = v;
       return {};
     },
     [](const Config& c) { return Shown(c.smtp_sender); }},
    {"SMTP_USERNAME", "(none)", "Mail server login", false,
     [](Config& c, std::string_view v) -> Status {
       c.smtp_username = v;
       return {};
     },
     [](const Config& c) { return Shown(c.smtp_username); }},
    {"SMTP_PASSWORD", "(none)", "Mail server password", true,
     [](Config& c, std::string_view v) -> Status {
       c.smtp_password = v;
       return {};
     },
     [](const Config& c) { return Shown(c.smtp_password); }},
    {"SMTP_USETSL", "false", "true: connect with TLS from the start (smtps, usually port 465)",
     false, [](Config& c, std::string_view v) -> Status { return ParseBool(v, c.smtp_use_tls); },
     [](const Config& c) -> std::string { return c.smtp_use_tls ? "true" : "false"; }},
    {"SMTP_IGNORE", "false", "true: never upgrade to TLS with STARTTLS (local test servers)", false,
     [](Config& c, std::string_view v) -> Status { return ParseBool(v, c.smtp_ignore_tls); },
     [](const Config& c) -> std::string { return c.smtp_ignore_tls ? "true" : "false"; }},
    {"MAESTRO_SECRETJWT", "(generated)", "Signs login tokens (at least 32 characters)", true,
     [](Config& c, std::string_view v) -> Status {
       if (auto ok = SecretOfLength(v); !ok) return ok;
       c.secret_jwt = v;
       return {};
     },
     [](const Config& c) { return Shown(c.secret_jwt); }},
    {"MAESTRO_SECRETJWT_PUBLIC", "(generated)",
     "Signs public share links of graphs (at least 32 characters)", true,
     [](Config& c, std::string_view v) -> Status {
       if (auto ok = SecretOfLength(v); !ok) return ok;
       c.secret_jwt_public = v;
       return {};
     },
     [](const Config& c) { return Shown(c.secret_jwt_public); }},
    {"MAESTRO_SECRETJWT_FORGOT", "(generated)",
     "Signs password-reset links (at least 32 characters)", true,
     [](Config& c, std::string_view v) -> Status {
       if (auto ok = SecretOfLength(v); !ok) return ok;
       c.secret_jwt_forgot = v;
       return {};
     },
     [](const Config& c) { return Shown(c.secret_jwt_forgot); }},
    {"MAESTRO_SECRET_KEY", "(generated)",
     "Encrypts stored cloud credentials: 64 hex digits (32 bytes)", true,
     [](Config& c, std::string_view v) -> Status {
       if (v.size() != 64 ||
           v.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
         return Invalid("must be 64 hex digits (32 random bytes)");
       }
       c.secret_key = v;
       return {};
     },
     [](const Config& c) { return Shown(c.secret_key); }},
};

}  // namespace

std::string Config::EffectiveDbUri() const {
  if (!db_uri.empty()) return db_uri;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return "sqlite:" + dir + "/maestro.db";
}

std::string Config::EffectiveLocalDir() const {
  if (!local_dir.empty()) return local_dir;
  std::string dir = data_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + "/uploads";
}

std::span<const ConfigEntry> ConfigTable() { return kTable; }

Result<LoadedConfig> LoadConfig(const std::map<std::string, std::string>& env) {
  LoadedConfig loaded;
  std::vector<FieldError> problems;
  for (const ConfigEntry& entry : kTable) {
    auto it = env.find(std::string(entry.name));
    if (it == env.end()) continue;
    if (auto applied = entry.apply(loaded.config, it->second); !applied) {
      problems.push_back({std::string(entry.name), applied.error().message});
    }
  }
  for (const auto& [name, value] : env) {
    if (!name.starts_with("MAESTRO_")) continue;
    const bool known = std::any_of(std::begin(kTable), std::end(kTable),
                                   [&](const ConfigEntry& e) { return e.name == name; });
    // MAESTRO_TEST_* variables configure the test suite, not the server.
    if (!known && !name.starts_with("MAESTRO_TEST_")) {
      loaded.warnings.push_back(fmt::format("unknown setting {} is ignored", name));
    }
  }
  const Config& c = loaded.config;
  if (c.upload_type == "S3") {
    for (const auto& [name, value] : {std::pair{"AWS_S3_BUCKET_NAME", &c.aws_bucket},
                                      {"AWS_ACCESS_KEY_ID", &c.aws_access_key_id},
                                      {"AWS_SECRET_ACCESS_KEY", &c.aws_secret_access_key}}) {
      if (value->empty()) problems.push_back({name, "is required when MAESTRO_UPLOAD_TYPE=S3"});
    }
  }
  if (!problems.empty()) {
    std::string message = "invalid configuration:";
    for (const auto& p : problems) message += fmt::format(" {} {};", p.field, p.problem);
    message.pop_back();
    return Fail(ErrorCode::kValidationFailed, std::move(message), std::move(problems));
  }
  return loaded;
}

std::map<std::string, std::string> ProcessEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string_view text = *entry;
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

std::vector<std::string> DescribeConfig(const Config& config) {
  std::vector<std::string> lines;
  for (const ConfigEntry& entry : kTable) {
    std::string value = entry.show(config);
    if (entry.secret) value = value.empty() ? "(not set)" : "(set)";
    lines.push_back(fmt::format("{}={}", entry.name, value));
  }
  return lines;
}

}  // namespace maestro::app
