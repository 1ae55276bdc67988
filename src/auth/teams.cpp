#include "auth/teams.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "common/ids.h"
#include "common/validation.h"

namespace maestro::auth {
namespace {

using nlohmann::json;
using store::AsInt;
using store::AsString;
using store::IsNull;

json OptionalText(const store::Value& value) {
  return IsNull(value) ? json(nullptr) : json(AsString(value));
}

// Counts the admins of a team other than `except`.
Result<std::int64_t> OtherAdmins(store::Session& session, const std::string& team,
                                 const std::string& except) {
  auto rows = session.Query(
      "SELECT COUNT(*) AS n FROM team_members WHERE team_id = ? AND role = 3 AND user_id <> ?",
      {team, except});
  if (!rows) return Fail(rows.error());
  return AsInt(rows->At(0, "n"));
}

Result<Role> ReadRole(FieldCheck& check) {
  auto text = check.RequiredText("role", {.min = 1, .max = 10});
  if (!text) return Role::kNone;
  auto role = ParseRole(*text);
  if (!role) {
    check.Problem("role", "must be read, write or admin");
    return Role::kNone;
  }
  return *role;
}

tl::unexpected<Error> LastAdmin() {
  return Fail(ErrorCode::kConflict, "a team must keep an admin: make another member admin first");
}

}  // namespace

Teams::Teams(store::Store& store, const Clock& clock, blobs::BlobStore& blobs)
    : store_(store), clock_(clock), blobs_(blobs) {}

std::string Teams::Now() const { return FormatTime(clock_.Now()); }

Result<Role> Teams::CallerRole(store::Session* session, const Principal& caller,
                               const std::string& id) {
  const char* sql =
      "SELECT (SELECT role FROM team_members WHERE team_id = t.id AND user_id = ?) AS role FROM "
      "teams t WHERE t.id = ?";
  auto rows =
      session ? session->Query(sql, {caller.user_id, id}) : store_.Query(sql, {caller.user_id, id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no such team");
  const auto& role = rows->At(0, "role");
  if (IsNull(role)) {
    if (caller.is_admin) return Role::kNone;  // visible, not a member
    return Fail(ErrorCode::kNotFound, "no such team");
  }
  return static_cast<Role>(AsInt(role));
}

Result<Role> Teams::RequireAdmin(store::Session* session, const Principal& caller,
                                 const std::string& id) {
  auto role = CallerRole(session, caller, id);
  if (!role) return role;
  if (*role != Role::kAdmin) {
    return Fail(ErrorCode::kForbidden, "only an admin of the team may do this");
  }
  return role;
}

Result<json> Teams::TeamJson(const std::string& id, Role caller_role) {
  auto rows = store_.Query(
      "SELECT id, name, email, url, avatar, created_at, updated_at FROM teams WHERE id = ?", {id});
  if (!rows) return Fail(rows.error());
  if (rows->empty()) return Fail(ErrorCode::kNotFound, "no such team");
  auto members = store_.Query(
      "SELECT u.id, u.name, u.email, u.avatar, m.role FROM team_members m JOIN users u ON u.id = "
      "m.user_id WHERE m.team_id = ? ORDER BY m.role DESC, u.name",
      {id});
  if (!members) return Fail(members.error());
  json list = json::array();
  for (std::size_t i = 0; i < members->size(); ++i) {
    list.push_back({{"user",
                     {{"id", AsString(members->At(i, "id"))},
                      {"name", AsString(members->At(i, "name"))},
                      {"email", AsString(members->At(i, "email"))},
                      {"avatar", AvatarUrl(members->At(i, "avatar"))}}},
                    {"role", RoleName(static_cast<Role>(AsInt(members->At(i, "role"))))}});
  }
  return json{{"id", AsString(rows->At(0, "id"))},
              {"name", AsString(rows->At(0, "name"))},
              {"email", OptionalText(rows->At(0, "email"))},
              {"url", OptionalText(rows->At(0, "url"))},
              {"avatar", AvatarUrl(rows->At(0, "avatar"))},
              {"created_at", AsString(rows->At(0, "created_at"))},
              {"updated_at", AsString(rows->At(0, "updated_at"))},
              {"my_role", caller_role == Role::kNone ? json(nullptr) : json(RoleName(caller_role))},
              {"members", std::move(list)}};
}

Result<json> Teams::List(const Principal& caller, int page, int limit) {
  const std::string visible = caller.is_admin
                                  ? "1 = 1"
                                  : "EXISTS (SELECT 1 FROM team_members m WHERE m.team_id = t.id "
                                    "AND m.user_id = ?)";
  const store::Params visible_params =
      caller.is_admin ? store::Params{} : store::Params{caller.user_id};
  auto total = store_.Query("SELECT COUNT(*) AS n FROM teams t WHERE " + visible, visible_params);
  if (!total) return Fail(total.error());
  store::Params params = {caller.user_id};
  params.insert(params.end(), visible_params.begin(), visible_params.end());
  params.push_back(std::int64_t{limit});
  params.push_back(std::int64_t{(page - 1) * limit});
  auto ids = store_.Query(
      "SELECT t.id, (SELECT role FROM team_members WHERE team_id = t.id AND "
      "user_id = ?) AS role FROM teams t WHERE " +
          visible + " ORDER BY t.name, t.id LIMIT ? OFFSET ?",
      params);
  if (!ids) return Fail(ids.error());
  json items = json::array();
  for (std::size_t i = 0; i < ids->size(); ++i) {
    const auto& role = ids->At(i, "role");
    auto team = TeamJson(AsString(ids->At(i, "id")),
                         IsNull(role) ? Role::kNone : static_cast<Role>(AsInt(role)));
    if (!team) return team;
    items.push_back(std::move(*team));
  }
  return json{{"items", std::move(items)},
              {"total", AsInt(total->At(0, "n"))},
              {"page", page},
              {"limit", limit}};
}

Result<json> Teams::Create(const Principal& caller, const json& body) {
  FieldCheck check(body);
  auto name = check.RequiredText("name", {.min = 3, .max = 60});
  auto email = check.Text("email", {.min = 3, .max = 254});
  auto url = check.Text("url", {.min = 1, .max = 2000});
  if (email && !IsEmailAddress(*email)) check.Problem("email", "is not an e-mail address");
  if (url && !url->starts_with("http://") && !url->starts_with("https://")) {
    check.Problem("url", "must start with http:// or https://");
  }
  if (auto ok = check.Finish("team"); !ok) return Fail(ok.error());
  const std::string id = NewId();
  const std::string now = Now();
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    auto team = session.Exec(
        "INSERT INTO teams (id, name, email, url, created_at, updated_at) VALUES (?, ?, ?, ?, ?, "
        "?)",
        {id, *name, email ? store::Value(*email) : store::Value(nullptr),
         url ? store::Value(*url) : store::Value(nullptr), now, now});
    if (!team) return Fail(team.error());
    auto member = session.Exec("INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, 3)",
                               {id, caller.user_id});
    if (!member) return Fail(member.error());
    return {};
  });
  if (!done) return Fail(done.error());
  return TeamJson(id, Role::kAdmin);
}

Result<json> Teams::Get(const Principal& caller, const std::string& id) {
  auto role = CallerRole(nullptr, caller, id);
  if (!role) return Fail(role.error());
  return TeamJson(id, *role);
}

Result<json> Teams::Update(const Principal& caller, const std::string& id, const json& patch) {
  auto role = RequireAdmin(nullptr, caller, id);
  if (!role) return Fail(role.error());
  auto current = TeamJson(id, *role);
  if (!current) return current;
  FieldCheck check(patch);
  auto name = check.Text("name", {.min = 3, .max = 60});
  auto email = check.Text("email", {.min = 3, .max = 254});
  auto url = check.Text("url", {.min = 1, .max = 2000});
  if (email && !IsEmailAddress(*email)) check.Problem("email", "is not an e-mail address");
  if (url && !url->starts_with("http://") && !url->starts_with("https://")) {
    check.Problem("url", "must start with http:// or https://");
  }
  for (const char* read_only : {"id", "avatar", "members", "my_role", "created_at", "updated_at"}) {
    if (check.Has(read_only) && patch[read_only] != (*current)[read_only]) {
      check.Problem(read_only, "is read-only");
    }
    check.Allow(read_only);
  }
  if (auto ok = check.Finish("team"); !ok) return Fail(ok.error());
  // Merge patch: absent keeps, null clears (email, url), a value sets.
  auto pick = [&](const char* field, const std::optional<std::string>& value) -> store::Value {
    if (value) return *value;
    if (patch.contains(field) && patch[field].is_null()) return nullptr;
    const auto& old = (*current)[field];
    return old.is_null() ? store::Value(nullptr) : store::Value(old.get<std::string>());
  };
  auto updated =
      store_.Exec("UPDATE teams SET name = ?, email = ?, url = ?, updated_at = ? WHERE id = ?",
                  {name.value_or((*current)["name"].get<std::string>()), pick("email", email),
                   pick("url", url), Now(), id});
  if (!updated) return Fail(updated.error());
  return TeamJson(id, *role);
}

Status Teams::Delete(const Principal& caller, const std::string& id) {
  if (auto role = RequireAdmin(nullptr, caller, id); !role) return Fail(role.error());
  return store_.Transaction([&](store::Session& session) -> Status {
    if (auto acl = session.Exec(
            "DELETE FROM acl WHERE principal_type = 'team' AND principal_id = ?", {id});
        !acl) {
      return Fail(acl.error());
    }
    auto deleted = session.Exec("DELETE FROM teams WHERE id = ?", {id});
    if (!deleted) return Fail(deleted.error());
    return {};
  });
}

Result<json> Teams::Members(const Principal& caller, const std::string& id) {
  auto team = Get(caller, id);
  if (!team) return team;
  return json{{"items", (*team)["members"]}};
}

Result<json> Teams::AddMember(const Principal& caller, const std::string& id, const json& body) {
  FieldCheck check(body);
  auto user = check.RequiredText("user", {.min = 1, .max = 64});
  auto role = ReadRole(check);
  if (auto ok = check.Finish("member"); !ok) return Fail(ok.error());
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    if (auto admin = RequireAdmin(&session, caller, id); !admin) return Fail(admin.error());
    auto exists = session.Query("SELECT 1 FROM users WHERE id = ?", {*user});
    if (!exists) return Fail(exists.error());
    if (exists->empty()) {
      return Fail(ErrorCode::kValidationFailed, "no such user", {{"user", "is not a user"}});
    }
    auto added = session.Exec("INSERT INTO team_members (team_id, user_id, role) VALUES (?, ?, ?)",
                              {id, *user, static_cast<std::int64_t>(*role)});
    if (!added) {
      if (added.error().code == ErrorCode::kConflict) {
        return Fail(ErrorCode::kConflict,
                    "this user is already a member; change their role instead");
      }
      return Fail(added.error());
    }
    return {};
  });
  if (!done) return Fail(done.error());
  return Members(caller, id);
}

Result<json> Teams::UpdateMember(const Principal& caller, const std::string& id,
                                 const std::string& user_id, const json& body) {
  FieldCheck check(body);
  auto role = ReadRole(check);
  if (auto ok = check.Finish("member"); !ok) return Fail(ok.error());
  auto done = store_.Transaction([&](store::Session& session) -> Status {
    if (auto locked = store::LockTransaction(session, 0x7465616d); !locked) return locked;
    if (auto admin = RequireAdmin(&session, caller, id); !admin) return Fail(admin.error());
    if (*role != Role::kAdmin) {
      auto others = OtherAdmins(session, id, user_id);
      if (!others) return Fail(others.error());
      if (*others == 0) return LastAdmin();
    }
    auto updated =
        session.Exec("UPDATE team_members SET role = ? WHERE team_id = ? AND user_id = ?",
                     {static_cast<std::int64_t>(*role), id, user_id});
    if (!updated) return Fail(updated.error());
    if (*updated == 0) return Fail(ErrorCode::kNotFound, "this user is not a member of the team");
    return {};
  });
  if (!done) return Fail(done.error());
  return Members(caller, id);
}

Status Teams::RemoveMember(const Principal& caller, const std::string& id,
                           const std::string& user_id) {
  return store_.Transaction([&](store::Session& session) -> Status {
    if (auto locked = store::LockTransaction(session, 0x7465616d); !locked) return locked;
    auto role = CallerRole(&session, caller, id);
    if (!role) return Fail(role.error());
    if (user_id != caller.user_id && *role != Role::kAdmin) {
      return Fail(ErrorCode::kForbidden, "only an admin of the team may remove other members");
    }
    auto target = session.Query("SELECT role FROM team_members WHERE team_id = ? AND user_id = ?",
                                {id, user_id});
    if (!target) return Fail(target.error());
    if (target->empty()) return Fail(ErrorCode::kNotFound, "this user is not a member of the team");
    if (AsInt(target->At(0, "role")) == 3) {
      auto others = OtherAdmins(session, id, user_id);
      if (!others) return Fail(others.error());
      if (*others == 0) return LastAdmin();
    }
    auto removed =
        session.Exec("DELETE FROM team_members WHERE team_id = ? AND user_id = ?", {id, user_id});
    if (!removed) return Fail(removed.error());
    return {};
  });
}

Result<json> Teams::SetAvatar(const Principal& caller, const std::string& id,
                              std::string_view bytes) {
  if (auto admin = RequireAdmin(nullptr, caller, id); !admin) return Fail(admin.error());
  auto old = store_.Query("SELECT avatar FROM teams WHERE id = ?", {id});
  if (!old) return Fail(old.error());
  auto name = StoreAvatar(blobs_, bytes);
  if (!name) return Fail(name.error());
  auto updated =
      store_.Exec("UPDATE teams SET avatar = ?, updated_at = ? WHERE id = ?", {*name, Now(), id});
  if (!updated) return Fail(updated.error());
  if (!old->empty()) {
    if (const std::string previous = AsString(old->At(0, "avatar")); !previous.empty()) {
      (void)blobs_.Delete("avatars/" + previous);
    }
  }
  return json{{"avatar", AvatarUrl(*name)}};
}

}  // namespace maestro::auth
