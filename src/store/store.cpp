#include "store/store.h"

#include <fmt/format.h>

namespace maestro::store {

std::string JsonText(Dialect dialect, std::string_view column,
                     std::initializer_list<std::string_view> path) {
  if (dialect == Dialect::kSqlite) {
    std::string json_path = "$";
    for (auto part : path) json_path += fmt::format(".{}", part);
    return fmt::format("json_extract({}, '{}')", column, json_path);
  }
  std::string pg_path;
  for (auto part : path) pg_path += (pg_path.empty() ? "" : ",") + std::string(part);
  return fmt::format("({} #>> '{{{}}}')", column, pg_path);
}

Status LockTransaction(Session& session, std::int64_t key) {
  if (session.dialect() == Dialect::kSqlite) return {};
  auto locked = session.Query("SELECT pg_advisory_xact_lock(?)", {key});
  if (!locked) return Fail(locked.error());
  return {};
}

Status Notify(Session& session, std::string_view channel, std::string_view payload) {
  if (session.dialect() != Dialect::kPostgres) return {};
  auto sent = session.Query("SELECT pg_notify(?, ?)", {std::string(channel), std::string(payload)});
  if (!sent) return Fail(sent.error());
  return {};
}

Status WithoutNestedLoops(Session& session, const std::function<Status()>& work) {
  if (session.dialect() != Dialect::kPostgres) return work();
  if (auto set = session.Exec("SET LOCAL enable_nestloop = off"); !set) return Fail(set.error());
  if (auto done = work(); !done) return done;
  if (auto reset = session.Exec("SET LOCAL enable_nestloop TO DEFAULT"); !reset) {
    return Fail(reset.error());
  }
  return {};
}

Result<Page> ReadPage(Store& store, std::string_view columns, std::string_view from,
                      const Params& params, std::string_view order, int page, int limit) {
  Page out;
  auto read = store.Transaction(
      [&](Session& session) -> Status {
        auto total = session.Query(fmt::format("SELECT COUNT(*) FROM {}", from), params);
        if (!total) return Fail(total.error());
        out.total = AsInt(total->rows.at(0).at(0));
        Params paged = params;
        paged.emplace_back(std::int64_t{limit});
        paged.emplace_back(std::int64_t{(page - 1) * static_cast<std::int64_t>(limit)});
        auto rows = session.Query(
            fmt::format("SELECT {} FROM {} ORDER BY {} LIMIT ? OFFSET ?", columns, from, order),
            paged);
        if (!rows) return Fail(rows.error());
        out.rows = std::move(*rows);
        return {};
      },
      TransactionMode::kRead);
  if (!read) return Fail(read.error());
  return out;
}

std::string_view ForUpdate(Dialect dialect) {
  return dialect == Dialect::kPostgres ? " FOR UPDATE" : "";
}

std::string_view JsonParam(Dialect dialect) {
  return dialect == Dialect::kSqlite ? "?" : "?::jsonb";
}

std::string NumberPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 1;
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;  // a doubled quote re-enters at once: same effect
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      const auto end = sql.find('\n', i);
      const auto stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '?') {
      out += fmt::format("${}", next++);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace maestro::store
