#include "common/secret_box.h"

#include <gtest/gtest.h>

namespace maestro {
namespace {

const std::string kKey(64, 'a');
const std::string kOtherKey(64, 'b');

TEST(SecretBoxTest, OpensWhatItSealedAndHidesIt) {
  auto box = SecretBox::FromHex(kKey);
  ASSERT_TRUE(box);
  const std::string secret = R"({"secret_key":"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"})";
  const std::string sealed = box->Seal(secret);
  EXPECT_EQ(sealed.rfind("v1.", 0), 0u);
  EXPECT_EQ(sealed.find("wJalrXUtnFEMI"), std::string::npos);
  EXPECT_NE(box->Seal(secret), sealed) << "a fresh nonce each time";
  auto opened = box->Open(sealed);
  ASSERT_TRUE(opened) << opened.error().message;
  EXPECT_EQ(*opened, secret);
  EXPECT_EQ(*box->Open(box->Seal("")), "");
}

TEST(SecretBoxTest, AnotherKeyOrAChangedTextDoesNotOpen) {
  auto box = SecretBox::FromHex(kKey);
  auto other = SecretBox::FromHex(kOtherKey);
  ASSERT_TRUE(box && other);
  const std::string sealed = box->Seal("password");
  auto wrong = other->Open(sealed);
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.error().message.find("MAESTRO_SECRET_KEY"), std::string::npos);
  EXPECT_EQ(wrong.error().message.find("password"), std::string::npos);
  std::string changed = sealed;
  changed.back() = changed.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box->Open(changed));
  for (const char* bad : {"", "v1.", "v2.abc", "v1.!!!", "plain"})
    EXPECT_FALSE(box->Open(bad)) << bad;
}

TEST(SecretBoxTest, TheKeyMustBe64HexDigits) {
  EXPECT_FALSE(SecretBox::FromHex(""));
  EXPECT_FALSE(SecretBox::FromHex(std::string(63, 'a')));
  EXPECT_FALSE(SecretBox::FromHex(std::string(64, 'g')));
  EXPECT_TRUE(SecretBox::FromHex(std::string(64, 'F')));
}

}  // namespace
}  // namespace maestro
