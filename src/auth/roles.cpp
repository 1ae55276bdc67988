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
  // Both branches use the primary key of acl and the (user_id, team_id, role) index of
  // team_members, so the check costs two index probes per candidate row.
  return {fmt::format("(EXISTS (SELECT 1 FROM acl a WHERE a.record_id = {0} AND a.principal_type "
                      "= 'user' AND a.principal_id = ? AND a.role >= ?) OR EXISTS (SELECT 1 FROM "
                      "acl a JOIN team_members m ON m.team_id = a.principal_id WHERE a.record_id "
                      "= {0} AND a.principal_type = 'team' AND a.role >= ? AND m.user_id = ? AND "
                      "m.role >= ?))",
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
