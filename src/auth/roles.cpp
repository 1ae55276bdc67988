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
                             Role need) {
  const auto level = static_cast<std::int64_t>(need);
  // Driven from the acl table: the records the user reaches directly, or through a team in which
  // both the team's entry and the membership are high enough. The (principal_type, principal_id,
  // record_id) index of acl gives each set without touching other principals' entries.
  return {fmt::format("{} IN (SELECT a.record_id FROM acl a WHERE a.principal_type = 'user' AND "
                      "a.principal_id = ? AND a.role >= ? UNION SELECT a.record_id FROM acl a JOIN "
                      "team_members m ON m.team_id = a.principal_id WHERE a.principal_type = "
                      "'team' AND a.role >= ? AND m.user_id = ? AND m.role >= ?)",
                      record_id_column),
          {user_id, level, level, user_id, level}};
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
