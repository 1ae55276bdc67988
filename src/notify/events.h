// Events: what the live UI hears of (API.md, Real time), on every node.
//
// Three kinds of message, as JSON text ready for a WebSocket:
//   {"type":"notify","id","at","title","message","level","context","ref":{kind,id}|null}
//   {"type":"event","name","id","at"}                 e.g. reports-update, servers-<id>
//   {"type":"job","id","job_type","status","progress","error"}
// Each goes to an audience: one user, or every user who can read one record (through the acl, as
// lists do). Notify and event messages are also stored and kept `keep` (GET /api/events); job
// messages are not (the jobs table has them).
//
// Delivery: Publish writes in its own transaction; on PostgreSQL the message then goes through
// NOTIFY to every node's listener, so a user connected to any node hears it; on SQLite (one
// process) it goes straight to this process's subscribers. Subscribers (the WebSocket hub) get the
// message with the user ids of its audience, resolved once per message and node.
//
// Thread-safe. Subscribe before Start.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "store/store.h"

namespace maestro::notify {

struct Audience {
  std::string user_id;  // one user, or
  std::string ref_id;   // the readers of this record
};

// The access rule, from the auth module (which sits above this one). Both give SQL with `?`s.
struct ReadRule {
  // A condition true for rows whose record id (in `column`) the user may read.
  std::function<std::pair<std::string, store::Params>(std::string_view column,
                                                      const std::string& user_id)>
      readable;
  // A query of the `user_id`s that may read the record.
  std::function<std::pair<std::string, store::Params>(const std::string& record_id)> readers;
};

struct Delivery {
  std::string message;             // JSON text
  std::vector<std::string> users;  // who may receive it
};

struct EventSettings {
  std::chrono::hours keep{24 * 15};
};

class Events {
 public:
  Events(store::Store& store, const Clock& clock, ReadRule rule, EventSettings settings = {});
  ~Events();
  Events(const Events&) = delete;
  Events& operator=(const Events&) = delete;

  using Subscriber = std::function<void(const Delivery&)>;
  void Subscribe(Subscriber subscriber);
  // PostgreSQL: starts listening for the messages of every node. Idempotent.
  Status Start();
  void Stop();

  // A notification (kept): level is info, success, warning or danger.
  Status Notify(const Audience& audience, std::string_view title, std::string_view message,
                std::string_view level, std::string_view context, std::string_view ref_kind = {},
                std::string_view ref_id = {});
  // A change signal (kept): the UI reloads what `name` names (reports-update, servers-<id>).
  Status Signal(const Audience& audience, std::string_view name, std::string_view id = {});
  // Job status and progress for its owner (not kept).
  Status Job(const std::string& owner_id, const nlohmann::json& job);

  // GET /api/events: the caller's kept messages newer than `since` (RFC 3339), newest first,
  // at most `limit`; `ref` (a record id) narrows them to one record.
  Result<nlohmann::json> Since(const std::string& user_id, const std::string& since,
                               const std::string& ref, int limit);
  // Deletes messages older than `keep`; returns how many.
  Result<std::int64_t> Prune();

 private:
  Status Publish(const Audience& audience, const nlohmann::json& message, bool keep);
  void Received(std::string_view payload);
  void Deliver(const Audience& audience, std::string message);

  store::Store& store_;
  const Clock& clock_;
  const ReadRule rule_;
  const EventSettings settings_;
  std::string channel_;
  std::mutex mutex_;
  std::vector<Subscriber> subscribers_;
  std::unique_ptr<store::Held> listener_;
};

}  // namespace maestro::notify
