// SmtpMailer against a real SMTP server: the maildev that scripts/test
// starts. Each test mails its own random recipient and reads its mail back through maildev's REST
// API (GET /email), so tests can share one maildev and run in parallel.
#include "notify/smtp_mailer.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "common/ids.h"
#include "support/http_client.h"
#include "support/test_support.h"

namespace maestro::notify {
namespace {

using namespace std::chrono_literals;

size_t Append(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// GET url with libcurl; "" on failure (the test then fails on what it expected to find).
std::string HttpGet(const std::string& url) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  const CURLcode code = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  EXPECT_EQ(code, CURLE_OK) << url << ": " << curl_easy_strerror(code);
  return code == CURLE_OK ? body : std::string();
}

class SmtpMailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    peer_ = testing::MaildevTestPeer();
    ASSERT_TRUE(peer_);
    recipient_ = "ada+" + RandomHex(8) + "@example.com";
  }
  SmtpSettings Settings() const {
    return SmtpSettings{.host = "127.0.0.1",
                        .port = peer_->smtp_port,
                        .sender = "Maestro <maestro@example.com>",
                        .timeout = 10s};
  }
  // The mails maildev holds for this test's recipient, once there are `count` of them (maildev
  // parses a mail after accepting it, so it may show up a moment after Send returns).
  std::vector<nlohmann::json> MailsReceived(std::size_t count) {
    std::vector<nlohmann::json> mails;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
      mails.clear();
      const auto all = nlohmann::json::parse(HttpGet(peer_->url + "/email"), nullptr, false);
      if (all.is_array()) {
        for (const auto& mail : all) {
          for (const auto& to : mail.value("to", nlohmann::json::array())) {
            if (to.value("address", "") == recipient_) mails.push_back(mail);
          }
        }
      }
      if (mails.size() >= count) break;
      std::this_thread::sleep_for(20ms);
    }
    return mails;
  }

  std::optional<testing::MaildevPeer> peer_;
  std::string recipient_;
};

TEST_F(SmtpMailerTest, DeliversAUtf8SubjectWithTextAndHtml) {
  const std::string subject =
      "R\xc3\xa9initialisation du mot de passe \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac "
      "and a long tail to force several encoded words";
  SmtpMailer mailer(Settings());
  ASSERT_TRUE(mailer.Send(Mail{.to = recipient_,
                               .subject = subject,
                               .text = "Bonjour,\nvoici le lien : https://x.example/r?t=1\n",
                               .html = "<p>Bonjour, <b>caf\xc3\xa9</b></p>"}));
  const auto mails = MailsReceived(1);
  ASSERT_EQ(mails.size(), 1u);
  const auto& mail = mails[0];
  EXPECT_EQ(mail.value("subject", ""), subject);
  EXPECT_EQ(mail.at("from").at(0).value("address", ""), "maestro@example.com");
  EXPECT_EQ(mail.at("from").at(0).value("name", ""), "Maestro");
  const std::string text = mail.value("text", "");
  EXPECT_NE(text.find("Bonjour,"), std::string::npos) << text;
  EXPECT_NE(text.find("voici le lien : https://x.example/r?t=1"), std::string::npos) << text;
  EXPECT_NE(mail.value("html", "").find("<p>Bonjour, <b>caf\xc3\xa9</b></p>"), std::string::npos)
      << mail.dump();
  EXPECT_TRUE(mail.at("headers").contains("message-id")) << mail.at("headers").dump();
  EXPECT_TRUE(mail.at("headers").contains("date")) << mail.at("headers").dump();
}

TEST_F(SmtpMailerTest, DeliversPlainTextAlone) {
  SmtpMailer mailer(Settings());
  ASSERT_TRUE(mailer.Send(Mail{.to = recipient_, .subject = "Plain", .text = "Only text."}));
  const auto mails = MailsReceived(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].value("subject", ""), "Plain");
  EXPECT_NE(mails[0].value("text", "").find("Only text."), std::string::npos);
  // maildev leaves html out (or false) for a mail without an HTML part.
  const auto html = mails[0].value("html", nlohmann::json());
  EXPECT_TRUE(html.is_null() || html == false || html == "") << html.dump();
}

TEST_F(SmtpMailerTest, AnUnreachablePortIsUnavailable) {
  auto settings = Settings();
  settings.port = testing::FreePort();
  auto sent = SmtpMailer(settings).Send(Mail{.to = recipient_, .subject = "lost", .text = "x"});
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("127.0.0.1:" + std::to_string(settings.port)),
            std::string::npos)
      << sent.error().message;
  EXPECT_TRUE(MailsReceived(0).empty());
}

}  // namespace
}  // namespace maestro::notify
