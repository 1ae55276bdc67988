#include "notify/events.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "common/json_util.h"

namespace maestro::notify {
namespace {

using nlohmann::json;

// NOTIFY payloads stop near 8,000 bytes: long texts are cut (at a character boundary).
constexpr std::size_t kMaxText = 2000;

std::string Cut(std::string_view text) {
  if (text.size() <= kMaxText) return std::string(text);
  std::size_t end = kMaxText;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "…";
}

json AudienceJson(const Audience& audience) {
  return {{"user", audience.user_id}, {"ref", audience.ref_id}};
}

}  // namespace

Events::Events(store::Store& store, const Clock& clock, ReadRule rule, EventSettings settings)
    : store_(store), clock_(clock), rule_(std::move(rule)), settings_(settings) {}

Events::~Events() { Stop(); }

void Events::Subscribe(Subscriber subscriber) {
  std::lock_guard lock(mutex_);
  subscribers_.push_back(std::move(subscriber));
}

Status Events::Start() {
  if (store_.dialect() != store::Dialect::kPostgres || listener_) return {};
  // One channel per schema: several instances (or tests) may share a database.
  auto schema = store_.Query("SELECT current_schema()", {});
  if (!schema) return Fail(schema.error());
  channel_ = "maestro_events." + store::AsString(schema->rows.at(0).at(0));
  listener_ = store_.Listen(channel_, [this](std::string_view payload) { Received(payload); });
  return {};
}

void Events::Stop() { listener_.reset(); }

Status Events::Notify(const Audience& audience, std::string_view title, std::string_view message,
                      std::string_view level, std::string_view context, std::string_view ref_kind,
                      std::string_view ref_id) {
  json body = {{"type", "notify"},    {"id", NewId()},           {"at", FormatTime(clock_.Now())},
               {"title", Cut(title)}, {"message", Cut(message)}, {"level", level},
               {"context", context},  {"ref", nullptr}};
  if (!ref_id.empty()) body["ref"] = {{"kind", ref_kind}, {"id", ref_id}};
  return Publish(audience, body, true);
}

Status Events::Signal(const Audience& audience, std::string_view name, std::string_view id) {
  return Publish(audience,
                 {{"type", "event"},
                  {"name", name},
                  {"id", id},
                  {"event_id", NewId()},
                  {"at", FormatTime(clock_.Now())}},
                 true);
}

Status Events::Job(const std::string& owner_id, const json& job) {
  if (owner_id.empty()) return {};
  json body = job;
  body["type"] = "job";
  if (body.contains("error") && body["error"].is_string()) {
    body["error"] = Cut(body["error"].get<std::string>());
  }
  return Publish({.user_id = owner_id}, body, false);
}

Status Events::Publish(const Audience& audience, const json& message, bool keep) {
  const std::string text = message.dump();
  const std::string payload =
      json{{"audience", AudienceJson(audience)}, {"message", message}}.dump();
  if (keep) {
    auto written = store_.Transaction([&](store::Session& session) -> Status {
      const std::string id = message.contains("event_id") ? message["event_id"].get<std::string>()
                                                          : message.value("id", NewId());
      // The record the message is about: the audience's, or the one a user's message names.
      const bool has_ref = message.contains("ref") && message["ref"].is_object();
      std::string ref_id = audience.ref_id;
      if (ref_id.empty() && has_ref) ref_id = message["ref"].value("id", "");
      auto inserted = session.Exec(
          "INSERT INTO events (id, at, user_id, ref_kind, ref_id, message) VALUES (?, ?, ?, ?, ?, "
          "?)",
          {id, message.value("at", FormatTime(clock_.Now())),
           audience.user_id.empty() ? store::Value(nullptr) : store::Value(audience.user_id),
           has_ref ? store::Value(message["ref"].value("kind", "")) : store::Value(nullptr),
           ref_id.empty() ? store::Value(nullptr) : store::Value(ref_id), text});
      if (!inserted) return Fail(inserted.error());
      return store::Notify(session, channel_, payload);
    });
    if (!written) return written;
  } else if (store_.dialect() == store::Dialect::kPostgres) {
    auto sent = store_.Transaction(
        [&](store::Session& session) { return store::Notify(session, channel_, payload); });
    if (!sent) return sent;
  }
  if (store_.dialect() != store::Dialect::kPostgres || !listener_) Deliver(audience, text);
  return {};
}

// A NOTIFY payload from any node: {audience, message}.
void Events::Received(std::string_view payload) {
  auto parsed = ParseJson(payload);
  if (!parsed || !parsed->is_object()) {
    spdlog::warn("events: a message that is not JSON was ignored");
    return;
  }
  const json& audience = (*parsed)["audience"];
  Deliver({.user_id = audience.value("user", ""), .ref_id = audience.value("ref", "")},
          (*parsed)["message"].dump());
}

void Events::Deliver(const Audience& audience, std::string message) {
  std::vector<Subscriber> subscribers;
  {
    std::lock_guard lock(mutex_);
    subscribers = subscribers_;
  }
  if (subscribers.empty()) return;
  Delivery delivery{.message = std::move(message)};
  if (!audience.user_id.empty()) {
    delivery.users.push_back(audience.user_id);
  } else if (!audience.ref_id.empty()) {
    auto [sql, params] = rule_.readers(audience.ref_id);
    auto rows = store_.Query(sql, params);
    if (!rows) {
      spdlog::warn("events: cannot find who reads {}: {}", audience.ref_id, rows.error().message);
      return;
    }
    for (const auto& row : rows->rows) delivery.users.push_back(store::AsString(row.at(0)));
  }
  if (delivery.users.empty()) return;
  for (const auto& subscriber : subscribers) subscriber(delivery);
}

Result<json> Events::Since(const std::string& user_id, const std::string& since,
                           const std::string& ref, int limit) {
  auto [readable, params] = rule_.readable("e.ref_id", user_id);
  store::Params all = {since, user_id};
  all.insert(all.end(), params.begin(), params.end());
  std::string sql = fmt::format(
      "SELECT e.message FROM events e WHERE e.at > ? AND (e.user_id = ? OR (e.user_id IS NULL AND "
      "e.ref_id IS NOT NULL AND {}))",
      readable);
  if (!ref.empty()) {
    sql += " AND e.ref_id = ?";
    all.emplace_back(ref);
  }
  sql += " ORDER BY e.id DESC LIMIT ?";
  all.emplace_back(std::int64_t{limit});
  auto rows = store_.Query(sql, all);
  if (!rows) return Fail(rows.error());
  json items = json::array();
  for (const auto& row : rows->rows) {
    auto message = ParseJson(store::AsString(row.at(0)));
    if (message) items.push_back(std::move(*message));
  }
  return json{{"items", std::move(items)}};
}

Result<std::int64_t> Events::Prune() {
  return store_.Exec("DELETE FROM events WHERE at < ?",
                     {FormatTime(clock_.Now() - settings_.keep)});
}

}  // namespace maestro::notify
