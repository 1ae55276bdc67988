#include "store/migrations.h"

#include <fmt/format.h>

#include <array>

#include "common/clock.h"

namespace maestro::store {
namespace {

// The record shape every kind shares (ARCHITECTURE.md, Storage): common columns plus one JSON
// document; relations in one edge table; access-control entries in their own table so lists can
// filter by ACL in SQL; history of every change. Times are RFC 3339 UTC text (sortable).
constexpr std::string_view kRecordsSqlite = R"sql(
CREATE TABLE records (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  owner_type  TEXT NOT NULL,
  owner_id    TEXT NOT NULL,
  version     INTEGER NOT NULL DEFAULT 1,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  active      INTEGER NOT NULL DEFAULT 1,
  source      TEXT NOT NULL DEFAULT 'manual',
  checksum    TEXT,
  doc         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(doc))
);
CREATE INDEX records_kind_updated ON records (kind, active, updated_at);
CREATE INDEX records_owner ON records (owner_type, owner_id);
CREATE TABLE edges (
  relation    TEXT NOT NULL,
  from_id     TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  to_id       TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  attrs       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(attrs)),
  created_at  TEXT NOT NULL,
  PRIMARY KEY (relation, from_id, to_id)
);
CREATE INDEX edges_to ON edges (to_id, relation);
CREATE TABLE acl (
  record_id      TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  principal_type TEXT NOT NULL,
  principal_id   TEXT NOT NULL,
  role           INTEGER NOT NULL,
  PRIMARY KEY (record_id, principal_type, principal_id)
);
CREATE INDEX acl_principal ON acl (principal_type, principal_id, record_id);
CREATE TABLE history (
  record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  version     INTEGER NOT NULL,
  at          TEXT NOT NULL,
  actor_type  TEXT NOT NULL,
  actor_id    TEXT,
  action      TEXT NOT NULL,
  changes     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(changes)),
  PRIMARY KEY (record_id, version)
);
)sql";

constexpr std::string_view kRecordsPostgres = R"sql(
CREATE TABLE records (
  id          TEXT PRIMARY KEY,
  kind        TEXT NOT NULL,
  owner_type  TEXT NOT NULL,
  owner_id    TEXT NOT NULL,
  version     BIGINT NOT NULL DEFAULT 1,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  active      BOOLEAN NOT NULL DEFAULT TRUE,
  source      TEXT NOT NULL DEFAULT 'manual',
  checksum    TEXT,
  doc         JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX records_kind_updated ON records (kind, active, updated_at);
CREATE INDEX records_owner ON records (owner_type, owner_id);
CREATE TABLE edges (
  relation    TEXT NOT NULL,
  from_id     TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  to_id       TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  attrs       JSONB NOT NULL DEFAULT '{}',
  created_at  TEXT NOT NULL,
  PRIMARY KEY (relation, from_id, to_id)
);
CREATE INDEX edges_to ON edges (to_id, relation);
CREATE TABLE acl (
  record_id      TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  principal_type TEXT NOT NULL,
  principal_id   TEXT NOT NULL,
  role           INTEGER NOT NULL,
  PRIMARY KEY (record_id, principal_type, principal_id)
);
CREATE INDEX acl_principal ON acl (principal_type, principal_id, record_id);
CREATE TABLE history (
  record_id   TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
  version     BIGINT NOT NULL,
  at          TEXT NOT NULL,
  actor_type  TEXT NOT NULL,
  actor_id    TEXT,
  action      TEXT NOT NULL,
  changes     JSONB NOT NULL DEFAULT '[]',
  PRIMARY KEY (record_id, version)
);
)sql";

// Identity: users, teams and their members, API tokens, password-reset tokens. Users and teams
// are principals, not inventory records: they have their own tables and unique keys.
constexpr std::string_view kIdentitySqlite = R"sql(
CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  email          TEXT NOT NULL,
  email_key      TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  is_admin       INTEGER NOT NULL DEFAULT 0,
  profile        TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(profile)),
  avatar         TEXT,
  sessions_after INTEGER NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE TABLE teams (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  email       TEXT,
  url         TEXT,
  avatar      TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE team_members (
  team_id  TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role     INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id, team_id, role);
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL,
  expires_at    TEXT,
  last_used_at  TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE TABLE password_resets (
  token_hash  TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);
)sql";

constexpr std::string_view kIdentityPostgres = R"sql(
CREATE TABLE users (
  id             TEXT PRIMARY KEY,
  email          TEXT NOT NULL,
  email_key      TEXT NOT NULL UNIQUE,
  name           TEXT NOT NULL,
  password_hash  TEXT NOT NULL,
  is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
  profile        JSONB NOT NULL DEFAULT '{}',
  avatar         TEXT,
  sessions_after BIGINT NOT NULL DEFAULT 0,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE TABLE teams (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  email       TEXT,
  url         TEXT,
  avatar      TEXT,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE TABLE team_members (
  team_id  TEXT NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
  user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  role     INTEGER NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members (user_id, team_id, role);
CREATE TABLE api_tokens (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name          TEXT NOT NULL,
  prefix        TEXT NOT NULL,
  hash          TEXT NOT NULL UNIQUE,
  created_at    TEXT NOT NULL,
  expires_at    TEXT,
  last_used_at  TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);
CREATE TABLE password_resets (
  token_hash  TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at  TEXT NOT NULL,
  expires_at  TEXT NOT NULL,
  used_at     TEXT
);
)sql";

// History keeps the whole record of each version, so GET …/history/<version> is one read.
constexpr std::string_view kHistorySnapshotSqlite =
    "ALTER TABLE history ADD COLUMN snapshot TEXT CHECK (snapshot IS NULL OR json_valid(snapshot))";
constexpr std::string_view kHistorySnapshotPostgres =
    "ALTER TABLE history ADD COLUMN snapshot JSONB";

// Global option lists an instance admin has changed (the defaults live in the code).
constexpr std::string_view kOptionsSqlite = R"sql(
CREATE TABLE options (
  key         TEXT PRIMARY KEY,
  value       TEXT NOT NULL CHECK (json_valid(value)),
  updated_at  TEXT NOT NULL,
  updated_by  TEXT
);
)sql";
constexpr std::string_view kOptionsPostgres = R"sql(
CREATE TABLE options (
  key         TEXT PRIMARY KEY,
  value       JSONB NOT NULL,
  updated_at  TEXT NOT NULL,
  updated_by  TEXT
);
)sql";

// Lists sort by updated_at then id: with both in the index a page of 50 walks the index and stops,
// instead of sorting every match.
constexpr std::string_view kListIndex =
    "CREATE INDEX records_kind_updated_id ON records (kind, active, updated_at, id); "
    "DROP INDEX records_kind_updated;";

// Natural keys and duplicate checks (names, hostnames, private addresses) find their records
// through expression indexes written exactly as the filter language writes these fields.
// Records still without a search text (written before it existed) are found at start-up through
// a partial index that stays empty, instead of by reading every record on each start.
// Search: each record's search text (its name and search fields, lowercased, one per line, set by
// the inventory on every write) with a trigram index — an FTS5 table kept by triggers on SQLite,
// a pg_trgm GIN index on PostgreSQL — so `%q%` finds candidates without reading every document.
// SQLite also counts every change to what lists and counts see (records, relations, access,
// memberships) in `changes.n`, read in the same snapshot as a count, to know when a cached count
// is still right. (The FTS table follows records' rowids: after a VACUUM, rebuild it with
// INSERT INTO records_search (records_search) VALUES ('rebuild').)
constexpr std::string_view kSearchSqlite = R"sql(
ALTER TABLE records ADD COLUMN search TEXT;
CREATE VIRTUAL TABLE records_search USING fts5 (search, content = 'records', content_rowid = 'rowid',
  tokenize = 'trigram');
CREATE TRIGGER records_search_insert AFTER INSERT ON records WHEN new.search IS NOT NULL BEGIN
  INSERT INTO records_search (rowid, search) VALUES (new.rowid, new.search);
END;
CREATE TRIGGER records_search_delete AFTER DELETE ON records WHEN old.search IS NOT NULL BEGIN
  INSERT INTO records_search (records_search, rowid, search) VALUES ('delete', old.rowid, old.search);
END;
CREATE TRIGGER records_search_update AFTER UPDATE OF search ON records
WHEN old.search IS NOT new.search BEGIN
  INSERT INTO records_search (records_search, rowid, search)
    SELECT 'delete', old.rowid, old.search WHERE old.search IS NOT NULL;
  INSERT INTO records_search (rowid, search) SELECT new.rowid, new.search WHERE new.search IS NOT NULL;
END;
CREATE TABLE changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO changes (id, n) VALUES (1, 0);
CREATE TRIGGER changes_records_insert AFTER INSERT ON records BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_records_update AFTER UPDATE ON records BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_records_delete AFTER DELETE ON records BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_edges_insert AFTER INSERT ON edges BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_edges_update AFTER UPDATE ON edges BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_edges_delete AFTER DELETE ON edges BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_acl_insert AFTER INSERT ON acl BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_acl_update AFTER UPDATE ON acl BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_acl_delete AFTER DELETE ON acl BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_members_insert AFTER INSERT ON team_members BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_members_update AFTER UPDATE ON team_members BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_members_delete AFTER DELETE ON team_members BEGIN UPDATE changes SET n = n + 1; END;
CREATE INDEX records_doc_name ON records (kind, json_extract(doc, '$.name'));
CREATE INDEX records_doc_hostname ON records (kind, json_extract(doc, '$.hostname'));
CREATE INDEX records_doc_ipv4_private ON records (kind, json_extract(doc, '$.ipv4_private'));
CREATE INDEX records_search_missing ON records (id) WHERE search IS NULL;
)sql";
// pg_trgm is a trusted extension: the database's owner may create it. It goes to the public
// schema, so that every schema's tables can use its operator class.
constexpr std::string_view kSearchPostgres = R"sql(
ALTER TABLE records ADD COLUMN search TEXT;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE INDEX records_search ON records USING gin (search public.gin_trgm_ops);
CREATE INDEX records_doc_name ON records (kind, (doc #>> '{name}'));
CREATE INDEX records_doc_hostname ON records (kind, (doc #>> '{hostname}'));
CREATE INDEX records_doc_ipv4_private ON records (kind, (doc #>> '{ipv4_private}'));
CREATE INDEX records_search_missing ON records (id) WHERE search IS NULL;
)sql";

// Background work (jobs), schedules that make jobs, stored notifications, and the leases that
// elect one scheduler. Jobs are the durable queue of the local JobQueue (workers claim queued rows
// whose run_after has come) and the state record of the AMQP one (`dispatched` = published to the
// broker; rows not yet published are published by any worker). A running job belongs to `worker`
// until `lease_until`; a lease that runs out (its process died) puts the job back in the queue.
// Event audiences: one user (user_id), or every reader of a record (ref_id, through the acl).
// The same text on both backends: JSON here is only stored and returned, never queried.
constexpr std::string_view kJobs = R"sql(
CREATE TABLE jobs (
  id                TEXT PRIMARY KEY,
  type              TEXT NOT NULL,
  status            TEXT NOT NULL,
  owner_id          TEXT,
  schedule_id       TEXT,
  args              TEXT NOT NULL DEFAULT '{}',
  progress          TEXT NOT NULL DEFAULT '{}',
  result            TEXT,
  error             TEXT,
  attempts          INTEGER NOT NULL DEFAULT 0,
  max_attempts      INTEGER NOT NULL DEFAULT 1,
  run_after         TEXT NOT NULL,
  dispatched        INTEGER NOT NULL DEFAULT 0,
  cancel_requested  INTEGER NOT NULL DEFAULT 0,
  worker            TEXT,
  lease_until       TEXT,
  created_at        TEXT NOT NULL,
  started_at        TEXT,
  finished_at       TEXT
);
CREATE INDEX jobs_ready ON jobs (status, run_after);
CREATE INDEX jobs_owner ON jobs (owner_id, id);
CREATE INDEX jobs_schedule ON jobs (schedule_id, id);
CREATE TABLE schedules (
  id               TEXT PRIMARY KEY,
  owner_id         TEXT NOT NULL,
  name             TEXT NOT NULL,
  task             TEXT NOT NULL,
  args             TEXT NOT NULL DEFAULT '{}',
  every            TEXT,
  cron             TEXT,
  enabled          INTEGER NOT NULL DEFAULT 1,
  run_immediately  INTEGER NOT NULL DEFAULT 0,
  chain            TEXT NOT NULL DEFAULT '[]',
  total_run_count  INTEGER NOT NULL DEFAULT 0,
  failures         INTEGER NOT NULL DEFAULT 0,
  last_run_at      TEXT,
  next_run_at      TEXT,
  last_status      TEXT,
  message          TEXT,
  version          INTEGER NOT NULL DEFAULT 1,
  created_at       TEXT NOT NULL,
  updated_at       TEXT NOT NULL
);
CREATE INDEX schedules_due ON schedules (enabled, next_run_at);
CREATE INDEX schedules_owner ON schedules (owner_id, id);
CREATE TABLE events (
  id        TEXT PRIMARY KEY,
  at        TEXT NOT NULL,
  user_id   TEXT,
  ref_kind  TEXT,
  ref_id    TEXT,
  message   TEXT NOT NULL
);
CREATE INDEX events_user ON events (user_id, id);
CREATE INDEX events_ref ON events (ref_id, id);
CREATE TABLE leases (
  name    TEXT PRIMARY KEY,
  holder  TEXT NOT NULL,
  until   TEXT NOT NULL
);
)sql";

// Discovery (DATA-MODEL.md, connections): a connection's credentials are sealed (SecretBox) in
// their own column, never in history. `discovered` keys each discovered record by the provider's
// own id within its owner and datacenter, and keeps what the provider last said of it: the checksum
// (no change, no write) and the fields as provided (a field a person edited is kept until the
// provider changes that same field).
constexpr std::string_view kDiscovery = R"sql(
CREATE TABLE connections (
  id             TEXT PRIMARY KEY,
  owner_id       TEXT NOT NULL,
  name           TEXT NOT NULL,
  provider       TEXT NOT NULL,
  datacenter_id  TEXT NOT NULL,
  regions        TEXT NOT NULL DEFAULT '[]',
  endpoint       TEXT,
  enabled        INTEGER NOT NULL DEFAULT 1,
  resources      TEXT NOT NULL DEFAULT '{}',
  status         TEXT NOT NULL DEFAULT '{}',
  credentials    TEXT NOT NULL,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX connections_owner ON connections (owner_id, name);
CREATE TABLE discovered (
  record_id      TEXT PRIMARY KEY REFERENCES records (id) ON DELETE CASCADE,
  owner_id       TEXT NOT NULL,
  datacenter_id  TEXT NOT NULL,
  kind           TEXT NOT NULL,
  provider_id    TEXT NOT NULL,
  connection_id  TEXT NOT NULL,
  resource       TEXT NOT NULL,
  region         TEXT NOT NULL,
  checksum       TEXT NOT NULL,
  provided       TEXT NOT NULL,
  orphaned       INTEGER NOT NULL DEFAULT 0,
  seen_at        TEXT NOT NULL
);
CREATE UNIQUE INDEX discovered_key ON discovered (owner_id, datacenter_id, kind, provider_id);
CREATE INDEX discovered_listing ON discovered (connection_id, resource, region);
)sql";

// Reports (DATA-MODEL.md, reports): the definition a person writes, the state of its generation,
// and its stored result rows. A generation writes its rows under a result id of its own and then
// points the report at it in one statement, so pages read while a report regenerates stay stable
// and a cancelled or superseded generation leaves the last result in place. Rows keep their order
// of generation in `n`; `data` is the row as JSON text (it is read back far more often than
// queried): a list of its values in the order of the report's columns (rows written by the first
// version are objects, column -> value); `csv` is the row's CSV line, made once at generation so
// that a CSV export of a million rows only concatenates them.
constexpr std::string_view kReportsSqlite = R"sql(
CREATE TABLE reports (
  id            TEXT PRIMARY KEY,
  owner_id      TEXT NOT NULL,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,
  spec          TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL,
  message       TEXT,
  total         INTEGER NOT NULL DEFAULT 0,
  job_id        TEXT,
  result_id     TEXT,
  generated_at  TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX reports_owner ON reports (owner_id, updated_at, id);
CREATE TABLE report_rows (
  result_id  TEXT NOT NULL,
  n          INTEGER NOT NULL,
  data       TEXT NOT NULL,
  csv        TEXT,
  PRIMARY KEY (result_id, n)
);
)sql";
constexpr std::string_view kReportsPostgres = R"sql(
CREATE TABLE reports (
  id            TEXT PRIMARY KEY,
  owner_id      TEXT NOT NULL,
  name          TEXT NOT NULL,
  type          TEXT NOT NULL,
  spec          TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL,
  message       TEXT,
  total         INTEGER NOT NULL DEFAULT 0,
  job_id        TEXT,
  result_id     TEXT,
  generated_at  TEXT,
  version       INTEGER NOT NULL DEFAULT 1,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE INDEX reports_owner ON reports (owner_id, updated_at, id);
CREATE TABLE report_rows (
  result_id  TEXT NOT NULL,
  n          INTEGER NOT NULL,
  data       TEXT NOT NULL,
  csv        TEXT,
  PRIMARY KEY (result_id, n)
);
)sql";

// Graphs (DATA-MODEL.md, graphs): what a person asked for (`source` systems | clients |
// applications and its `source_ids`, a JSON list) and the last build: its status and message, the
// metrics (`info`, JSON), and the drawing kept with the graph so that reads are instant — the SVG,
// the layout as JSON (nodes with positions and servers, edges) and the laid-out DOT text a PNG is
// rendered from. A build replaces them together in one statement. `drawing_id` names the drawing
// (the job that made it), so a PNG cached in the blob store is found for that drawing only.
// Sharing: links are tokens that carry the graph id and its `share_epoch`; revoking turns sharing
// off and moves the epoch on, so every link given before stops working at once.
constexpr std::string_view kGraphs = R"sql(
CREATE TABLE graphs (
  id             TEXT PRIMARY KEY,
  owner_id       TEXT NOT NULL,
  name           TEXT NOT NULL,
  source         TEXT NOT NULL,
  source_ids     TEXT NOT NULL DEFAULT '[]',
  status         TEXT NOT NULL,
  message        TEXT,
  info           TEXT,
  svg            TEXT,
  layout         TEXT,
  dot            TEXT,
  drawing_id     TEXT,
  job_id         TEXT,
  built_at       TEXT,
  share_enabled  INTEGER NOT NULL DEFAULT 0,
  share_epoch    INTEGER NOT NULL DEFAULT 0,
  shared_at      TEXT,
  version        INTEGER NOT NULL DEFAULT 1,
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);
CREATE INDEX graphs_owner ON graphs (owner_id, created_at, id);
)sql";

// Lists keep rendered pages while the change counter stands still (SQLite; PostgreSQL compares
// snapshots): pages show the names of owners and of the users and teams in roles, so renaming or
// removing one is a change too.
constexpr std::string_view kNamesCountSqlite = R"sql(
CREATE TRIGGER changes_users_name AFTER UPDATE OF name ON users BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_users_delete AFTER DELETE ON users BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_teams_name AFTER UPDATE OF name ON teams BEGIN UPDATE changes SET n = n + 1; END;
CREATE TRIGGER changes_teams_delete AFTER DELETE ON teams BEGIN UPDATE changes SET n = n + 1; END;
)sql";
constexpr std::string_view kNamesCountPostgres = "SELECT 1;";

// PostgreSQL tells every process of a change that lists, counts and shown records could see (the
// tables SQLite's change counter follows), or that authentication with an API token reads (users,
// api_tokens), so that they keep what they computed without asking the database each time
// (Store::ChangeMark). One notification per statement; PostgreSQL sends
// those of a transaction once, at its commit.
constexpr std::string_view kChangeNotesSqlite = "SELECT 1;";
constexpr std::string_view kChangeNotesPostgres = R"sql(
CREATE FUNCTION maestro_note_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('maestro_changes', '');
  RETURN NULL;
END $$;
CREATE TRIGGER records_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON records
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
CREATE TRIGGER edges_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON edges
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
CREATE TRIGGER acl_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON acl
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
CREATE TRIGGER team_members_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON team_members
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
CREATE TRIGGER users_noted AFTER UPDATE OR DELETE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
CREATE TRIGGER api_tokens_noted AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_tokens
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
CREATE TRIGGER teams_noted AFTER UPDATE OF name OR DELETE ON teams
  FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
)sql";

// A token's last use, written at most once a minute by whichever node serves it, changes nothing
// a node keeps: only what can refuse a kept token (its deletion, its owner, its hash or its
// expiry) is noted. Its creation neither: a token not yet kept is read anyway.
constexpr std::string_view kTokenNotesSqlite = "SELECT 1;";
constexpr std::string_view kTokenNotesPostgres = R"sql(
DROP TRIGGER api_tokens_noted ON api_tokens;
CREATE TRIGGER api_tokens_noted AFTER UPDATE OF user_id, hash, expires_at OR DELETE OR TRUNCATE
  ON api_tokens FOR EACH STATEMENT EXECUTE FUNCTION maestro_note_change();
)sql";

constexpr std::array kMigrations = {
    Migration{1, "records, edges, acl and history", kRecordsSqlite, kRecordsPostgres},
    Migration{2, "users, teams, API tokens and password resets", kIdentitySqlite,
              kIdentityPostgres},
    Migration{3, "whole record in each history entry", kHistorySnapshotSqlite,
              kHistorySnapshotPostgres},
    Migration{4, "global options changed by admins", kOptionsSqlite, kOptionsPostgres},
    Migration{5, "list order by update time walks an index", kListIndex, kListIndex},
    Migration{6, "search text with a trigram index, key indexes, a change counter on SQLite",
              kSearchSqlite, kSearchPostgres},
    Migration{7, "jobs, schedules, events and leases", kJobs, kJobs},
    Migration{8, "connections and what they discovered", kDiscovery, kDiscovery},
    Migration{9, "reports and their stored result rows", kReportsSqlite, kReportsPostgres},
    Migration{10, "graphs, their drawings and share epochs", kGraphs, kGraphs},
    Migration{11, "renaming users and teams counts as a change on SQLite", kNamesCountSqlite,
              kNamesCountPostgres},
    Migration{12, "changes are notified on PostgreSQL", kChangeNotesSqlite, kChangeNotesPostgres},
    Migration{13, "an API token's last use is not a change", kTokenNotesSqlite,
              kTokenNotesPostgres},
};

constexpr std::string_view kCreateMigrationsTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT "
    "NULL, applied_at TEXT NOT NULL)";

// Any fixed number: the key of the advisory lock that serialises migrations on PostgreSQL.
constexpr std::int64_t kMigrationLockKey = 0x6d61657374726f;  // "maestro"

Result<int> CurrentVersion(Session& session) {
  auto rows = session.Query("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations");
  if (!rows) return Fail(rows.error());
  return static_cast<int>(AsInt(rows->rows.at(0).at(0)));
}

}  // namespace

std::span<const Migration> Migrations() { return kMigrations; }

int LatestSchemaVersion() { return kMigrations.back().version; }

Result<int> SchemaVersion(Store& store) {
  auto rows = store.Query(
      store.dialect() == Dialect::kSqlite
          ? "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
          : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'schema_migrations' "
            "AND table_schema = current_schema()",
      {});
  if (!rows) return Fail(rows.error());
  if (AsInt(rows->rows.at(0).at(0)) == 0) return 0;
  auto version = store.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", {});
  if (!version) return Fail(version.error());
  return static_cast<int>(AsInt(version->rows.at(0).at(0)));
}

Result<MigrationReport> Migrate(Store& store) {
  MigrationReport report;
  auto before = SchemaVersion(store);
  if (!before) return Fail(before.error());
  report.from = report.to = *before;
  if (*before > LatestSchemaVersion()) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("the database has schema version {}, newer than this maestro knows "
                            "({}); upgrade maestro",
                            *before, LatestSchemaVersion()));
  }
  for (const Migration& migration : kMigrations) {
    if (migration.version <= report.to) continue;
    auto status = store.Transaction([&](Session& session) -> Status {
      if (auto locked = LockTransaction(session, kMigrationLockKey); !locked) return locked;
      if (auto created = session.Exec(kCreateMigrationsTable); !created)
        return Fail(created.error());
      auto current = CurrentVersion(session);
      if (!current) return Fail(current.error());
      if (*current >= migration.version) return {};  // another process applied it meanwhile
      const auto sql =
          session.dialect() == Dialect::kSqlite ? migration.sqlite : migration.postgres;
      if (auto applied = session.ExecScript(sql); !applied) {
        return Fail(ErrorCode::kInternal,
                    fmt::format("migration {} ({}) failed: {}", migration.version, migration.name,
                                applied.error().message));
      }
      auto recorded =
          session.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       {std::int64_t{migration.version}, std::string(migration.name),
                        FormatTime(std::chrono::system_clock::now())});
      if (!recorded) return Fail(recorded.error());
      return {};
    });
    if (!status) return Fail(status.error());
    report.to = migration.version;
  }
  return report;
}

}  // namespace maestro::store
