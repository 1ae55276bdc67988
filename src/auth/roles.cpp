#include "auth/roles.h"

#include <fmt/format.h>

#include <algorithm>

namespace maestro::auth {

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "read") return Role::kRead;
  if (text == "write") return Role::kWrite;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kNone:
      return "none";
    case Role::kRead:
      return "read";
    case Role::kWrite:
      return "write";
    case Role::kAdmin:
      return "admin";
  }
  return "none";
}

Role EffectiveRole(Role direct, std::span<const TeamGrant> teams) {
  Role best = direct;
  for (const TeamGrant& grant : teams)
    best = std::max(best, std::min(grant.on_record, grant.membership));
  return best;
}

SqlCondition AccessCondition(std::string_view record_id_column, const std::string& user_id,
                             Role need, AccessPlan plan) {
  const auto level = static_cast<std::int64_t>(need);
  if (plan == AccessPlan::kPerRow) {
    // The row's entries by the acl's primary key (record_id first), then the user's teams.
    return {fmt::format("EXISTS (SELECT 1 FROM acl a WHERE a.record_id = {} AND a.role >= ? AND "
                        "((a.principal_type = 'user' AND a.principal_id = ?) OR (a.principal_type "
                        "= 'team' AND a.principal_id IN (SELECT m.team_id FROM team_members m "
                        "WHERE m.user_id = ? AND m.role >= ?))))",
                        record_id_column),
            {level, user_id, user_id, level}};
  }
  // The records the user reaches directly, or through a team in which both the team's entry and
  // the membership are high enough: each set from the acl's (principal_type, principal_id,
  // record_id) index. CROSS JOIN makes SQLite start from the user's few memberships instead of
  // every team entry (PostgreSQL plans it as an inner join).
  return {fmt::format("{} IN (SELECT a.record_id FROM acl a WHERE a.principal_type = 'user' AND "
                      "a.principal_id = ? AND a.role >= ? UNION SELECT a.record_id FROM "
                      "team_members m CROSS JOIN acl a WHERE m.user_id = ? AND m.role >= ? AND "
                      "a.principal_type = 'team' AND a.principal_id = m.team_id AND a.role >= ?)",
                      record_id_column),
          {user_id, level, user_id, level, level}};
}

SqlCondition HoldersQuery(const std::string& record_id, Role need) {
  const auto level = static_cast<std::int64_t>(need);
  return {
      "SELECT a.principal_id AS user_id FROM acl a WHERE a.record_id = ? AND a.principal_type = "
      "'user' AND a.role >= ? UNION SELECT m.user_id FROM acl a JOIN team_members m ON "
      "m.team_id = a.principal_id WHERE a.record_id = ? AND a.principal_type = 'team' AND "
      "a.role >= ? AND m.role >= ?",
      {record_id, level, record_id, level, level}};
}

notify::ReadRule EventReadRule() {
  return {.readable =
              [](std::string_view column, const std::string& user_id) {
                auto condition = AccessCondition(column, user_id, Role::kRead, AccessPlan::kPerRow);
                return std::pair{condition.sql, condition.params};
              },
          .readers =
              [](const std::string& record_id) {
                auto query = HoldersQuery(record_id, Role::kRead);
                return std::pair{query.sql, query.params};
              }};
}

SqlCondition RoleExpression(std::string_view record_id_column, const std::string& user_id) {
  return {fmt::format("(SELECT COALESCE(MAX(CASE WHEN a.principal_type = 'user' THEN a.role WHEN "
                      "m.role < a.role THEN m.role ELSE a.role END), 0) FROM acl a LEFT JOIN "
                      "team_members m ON a.principal_type = 'team' AND m.team_id = a.principal_id "
                      "AND m.user_id = ? WHERE a.record_id = {} AND ((a.principal_type = 'user' "
                      "AND a.principal_id = ?) OR m.user_id IS NOT NULL))",
                      record_id_column),
          {user_id, user_id}};
}

}  // namespace maestro::auth
