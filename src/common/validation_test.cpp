#include "common/validation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace maestro {
namespace {

using nlohmann::json;

TEST(FieldCheckTest, ReadsValidFields) {
  const json body = {{"name", "Alice"}, {"days", 30}, {"admin", false}};
  FieldCheck check(body);
  EXPECT_EQ(check.RequiredText("name", {.min = 3, .max = 60}), "Alice");
  EXPECT_EQ(check.Integer("days", 1, 365), 30);
  EXPECT_EQ(check.Boolean("admin"), false);
  EXPECT_TRUE(check.Finish("thing"));
}

TEST(FieldCheckTest, ReportsEveryProblemWithItsField) {
  const json body = {{"name", "Al"},
                     {"days", "30"},
                     {"nickname", "x"},
                     {"bio",
                      "a\x01"
                      "b"}};
  FieldCheck check(body);
  check.RequiredText("name", {.min = 3, .max = 60});
  check.Integer("days", 1, 365);
  check.Text("bio", {.max = 100, .multiline = true});
  check.RequiredText("email");
  auto status = check.Finish("user");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kValidationFailed);
  std::map<std::string, std::string> problems;
  for (const auto& field : status.error().fields) problems[field.field] = field.problem;
  EXPECT_EQ(problems["name"], "must be at least 3 characters");
  EXPECT_EQ(problems["days"], "must be a whole number");
  EXPECT_EQ(problems["bio"], "must not contain control characters");
  EXPECT_EQ(problems["email"], "is required");
  EXPECT_EQ(problems["nickname"], "is not a field of user");
}

TEST(FieldCheckTest, ANonObjectBodyIsAProblem) {
  const json body = json::array({1, 2});
  FieldCheck check(body);
  EXPECT_FALSE(check.Finish("user"));
}

TEST(TextProblemTest, CountsCharactersNotBytesAndAllowsNewlinesWhenMultiline) {
  EXPECT_EQ(TextProblem("ééé", {.min = 3, .max = 3}), "");
  EXPECT_NE(TextProblem("a\nb", {}), "");
  EXPECT_EQ(TextProblem("a\nb\tc", {.multiline = true}), "");
}

TEST(IsEmailAddressTest, AcceptsPlausibleAddressesOnly) {
  for (const char* good : {"a@b.co", "first.last+tag@example.org"})
    EXPECT_TRUE(IsEmailAddress(good)) << good;
  for (const char* bad :
       {"", "a", "a@b", "@b.co", "a@@b.co", "a b@c.de", "a@b.co.", "a@.b", "x@y.z\r\nBcc: z@z.z"}) {
    EXPECT_FALSE(IsEmailAddress(bad)) << bad;
  }
}

TEST(ParseWholeNumberTest, AcceptsExactWholeNumbersInRange) {
  EXPECT_EQ(ParseWholeNumber("42", 1, 100), 42);
  for (const char* bad : {"", "0", "101", "4.5", " 4", "4 ", "x", "1e2"}) {
    EXPECT_FALSE(ParseWholeNumber(bad, 1, 100)) << bad;
  }
}

TEST(EscapeLikeTest, EscapesTheWildcardsAndTheEscape) {
  EXPECT_EQ(EscapeLike("50%_off\\"), "50\\%\\_off\\\\");
  EXPECT_EQ(EscapeLike("Plain"), "Plain");
}

}  // namespace
}  // namespace maestro
