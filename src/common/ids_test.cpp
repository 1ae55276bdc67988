#include "common/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace maestro {
namespace {

TEST(NewIdTest, MakesUniqueIdsInCreationOrder) {
  std::vector<std::string> ids;
  for (int i = 0; i < 10000; ++i) ids.push_back(NewId());
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
}

TEST(NewIdTest, KeepsOrderWhenTheClockGoesBack) {
  const std::string later = NewId(2'000'000'000'000);
  const std::string earlier_clock = NewId(1'000'000'000'000);
  EXPECT_LT(later, earlier_clock);
}

TEST(NewIdTest, EncodesTheTimeInTheFirstTenCharacters) {
  const std::string a = NewId(3'000'000'000'000);
  const std::string b = NewId(3'000'000'000'001);
  EXPECT_LT(a.substr(0, 10), b.substr(0, 10));
}

TEST(IsIdTest, AcceptsOnlyTheShapeOfIds) {
  EXPECT_TRUE(IsId(NewId()));
  EXPECT_FALSE(IsId(""));
  EXPECT_FALSE(IsId("01ARZ3NDEKTSV4RRFFQ69G5FA"));   // 25 characters
  EXPECT_FALSE(IsId("01ARZ3NDEKTSV4RRFFQ69G5FAU"));  // U is not Crockford base32
  EXPECT_FALSE(IsId("81ARZ3NDEKTSV4RRFFQ69G5FAV"));  // overflows 128 bits
  EXPECT_FALSE(IsId("01arz3ndektsv4rrffq69g5fav"));  // lower case is not what we make
}

TEST(RandomHexTest, GivesTwoHexDigitsPerByteAndNeverRepeats) {
  const std::string a = RandomHex(32);
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, RandomHex(32));
}

}  // namespace
}  // namespace maestro
