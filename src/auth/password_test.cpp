#include "auth/password.h"

#include <gtest/gtest.h>

namespace maestro::auth {
namespace {

TEST(PasswordHasherTest, HashesWithArgon2idAndVerifies) {
  PasswordHasher hasher(PasswordCost::Minimum());
  auto hash = hasher.Hash("correct horse battery staple");
  ASSERT_TRUE(hash);
  EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
  EXPECT_TRUE(hasher.Verify(*hash, "correct horse battery staple"));
  EXPECT_FALSE(hasher.Verify(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(hasher.Verify("", "anything"));
  EXPECT_FALSE(hasher.Verify("$argon2id$garbage", "anything"));
}

TEST(PasswordHasherTest, SaltsEveryHash) {
  PasswordHasher hasher(PasswordCost::Minimum());
  EXPECT_NE(*hasher.Hash("same password"), *hasher.Hash("same password"));
}

TEST(PasswordHasherTest, VerifiesHashesMadeWithAnotherCost) {
  PasswordHasher cheap(PasswordCost::Minimum());
  PasswordHasher interactive(PasswordCost::Interactive());
  EXPECT_TRUE(interactive.Verify(*cheap.Hash("password1"), "password1"));
}

TEST(CheckPasswordRulesTest, NeedsEightCharactersNotBytes) {
  EXPECT_FALSE(CheckPasswordRules("1234567", "password"));
  EXPECT_TRUE(CheckPasswordRules("12345678", "password"));
  EXPECT_FALSE(CheckPasswordRules("éééé", "password")) << "8 bytes but 4 characters";
  auto too_long = CheckPasswordRules(std::string(1025, 'x'), "new_password");
  ASSERT_FALSE(too_long);
  EXPECT_EQ(too_long.error().fields.at(0).field, "new_password");
}

}  // namespace
}  // namespace maestro::auth
