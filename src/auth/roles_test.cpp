#include "auth/roles.h"

#include <gtest/gtest.h>

namespace maestro::auth {
namespace {

TEST(EffectiveRoleTest, FollowsTheRuleOfTheDataModel) {
  struct Case {
    const char* name;
    Role direct;
    std::vector<TeamGrant> teams;
    Role expected;
  };
  const Case cases[] = {
      {"nothing", Role::kNone, {}, Role::kNone},
      {"direct only", Role::kWrite, {}, Role::kWrite},
      {"team admin on record, reader in team",
       Role::kNone,
       {{Role::kAdmin, Role::kRead}},
       Role::kRead},
      {"team reader on record, admin in team",
       Role::kNone,
       {{Role::kRead, Role::kAdmin}},
       Role::kRead},
      {"direct beats a weaker team", Role::kAdmin, {{Role::kRead, Role::kRead}}, Role::kAdmin},
      {"a stronger team beats direct", Role::kRead, {{Role::kWrite, Role::kWrite}}, Role::kWrite},
      {"best of several teams",
       Role::kNone,
       {{Role::kRead, Role::kAdmin}, {Role::kAdmin, Role::kWrite}, {Role::kWrite, Role::kRead}},
       Role::kWrite},
      {"team without entry on record", Role::kNone, {{Role::kNone, Role::kAdmin}}, Role::kNone},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(EffectiveRole(c.direct, c.teams), c.expected) << c.name;
  }
}

TEST(ParseRoleTest, KnowsTheThreeRoles) {
  EXPECT_EQ(ParseRole("read"), Role::kRead);
  EXPECT_EQ(ParseRole("write"), Role::kWrite);
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_FALSE(ParseRole("owner"));
  EXPECT_FALSE(ParseRole("Admin"));
  EXPECT_EQ(RoleName(Role::kWrite), "write");
}

TEST(AccessConditionTest, BindsEveryValue) {
  const auto condition = AccessCondition("r.id", "u1", Role::kWrite);
  EXPECT_EQ(condition.sql.find("u1"), std::string::npos) << "values are bound, never spliced";
  EXPECT_EQ(std::count(condition.sql.begin(), condition.sql.end(), '?'),
            static_cast<long>(condition.params.size()));
}

}  // namespace
}  // namespace maestro::auth
