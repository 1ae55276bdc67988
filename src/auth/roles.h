// Roles and the access rule of DATA-MODEL.md, in C++ (for one record) and in SQL (for lists).
//
// A user's role on a record is the highest of: their own entry; and, for each team they belong
// to, the lower of the team's entry on the record and their role in the team. The owner's admin
// role is an ordinary entry of the acl table, so one rule covers everything.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "notify/events.h"
#include "store/value.h"

namespace maestro::auth {

enum class Role : int { kNone = 0, kRead = 1, kWrite = 2, kAdmin = 3 };

// "read", "write", "admin" -> Role; anything else -> nullopt.
std::optional<Role> ParseRole(std::string_view text);
// kNone -> "none".
std::string_view RoleName(Role role);

struct TeamGrant {
  Role on_record;   // the team's entry on the record
  Role membership;  // the user's role in the team
};

Role EffectiveRole(Role direct, std::span<const TeamGrant> teams);

// A SQL condition with its parameters, to AND into a WHERE clause.
struct SqlCondition {
  std::string sql;
  store::Params params;
};

// How an access condition is evaluated; both give the same rows.
enum class AccessPlan {
  // Builds the set of records the user reaches (acl by principal) and tests membership: for
  // counts and aggregates, which look at every readable row.
  kSet,
  // Looks up each row's own acl entries (acl by record): for few rows — a page walked in index
  // order, a record's relations, search candidates — where building the whole set would dominate.
  kPerRow,
};

// True for rows whose record id (in `record_id_column`, e.g. "r.id") the user holds `need` or more
// on, through the acl and team_members tables. Identifiers come from code only.
SqlCondition AccessCondition(std::string_view record_id_column, const std::string& user_id,
                             Role need, AccessPlan plan = AccessPlan::kSet);

// A query whose rows are the distinct `user_id`s holding `need` or more on the record `record_id`
// (directly or through a team): who may be told about it.
SqlCondition HoldersQuery(const std::string& record_id, Role need);

// The access rule above, for the events of the notify module (which sits below this one): who
// hears of a record, and which kept events a user may read.
notify::ReadRule EventReadRule();

// A SQL expression giving the user's effective role (0–3) on the record in `record_id_column`.
SqlCondition RoleExpression(std::string_view record_id_column, const std::string& user_id);

}  // namespace maestro::auth
