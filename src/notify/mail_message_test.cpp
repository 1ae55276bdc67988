#include <gtest/gtest.h>
#include <sodium.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

#include "notify/log_mailer.h"
#include "notify/smtp_mailer.h"
#include "support/http_client.h"

namespace maestro::notify {
namespace {

using namespace std::string_literals;

std::string DecodeBase64(std::string_view text) {
  std::string out(text.size(), '\0');
  std::size_t length = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), "\r\n", &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    ADD_FAILURE() << "not base64: " << text;
    return {};
  }
  out.resize(length);
  return out;
}

// Decodes a header made of RFC 2047 B-encoded words separated by folding ("\r\n ").
std::string DecodeWords(std::string_view header, std::vector<std::string>* words = nullptr) {
  std::string out;
  std::size_t start = 0;
  while (start < header.size()) {
    auto end = header.find("\r\n ", start);
    if (end == std::string_view::npos) end = header.size();
    const std::string_view word = header.substr(start, end - start);
    if (words) words->emplace_back(word);
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
    out += DecodeBase64(word.substr(10, word.size() - 12));
    start = end + 3;
  }
  return out;
}

// The text between "\r\n\r\n" after `marker` and the next "--" line or the end.
std::string BodyAfter(const std::string& message, const std::string& marker) {
  const auto at = message.find(marker);
  if (at == std::string::npos) return "(no " + marker + ")";
  const auto start = message.find("\r\n\r\n", at) + 4;
  const auto end = message.find("\r\n--", start);
  return message.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

Mail AMail() {
  return Mail{.to = "ada@example.com", .subject = "Hello", .text = "Line one\nLine two"};
}

TEST(CheckMailTest, AcceptsOnePlainAddressAndASingleLineSubject) {
  for (const char* to : {"ada@example.com", "a.b+tag@sub.example.org", "o'neil@x.io", "x@y"}) {
    Mail mail = AMail();
    mail.to = to;
    EXPECT_TRUE(CheckMail(mail)) << to;
  }
  Mail mail = AMail();
  mail.subject = "Tabs\tand caf\xc3\xa9 are fine";
  EXPECT_TRUE(CheckMail(mail));
}

TEST(CheckMailTest, RefusesHeaderInjectionAndWhatCannotBeARecipient) {
  const std::string recipients[] = {
      "ada@example.com\r\nBcc: eve@example.com",
      "ada@example.com\nBcc: eve@example.com",
      "ada@example.com\r",
      "",
      "ada",
      "ada@",
      "@example.com",
      "ada@b@example.com",
      "Ada <ada@example.com>",
      "ada@example.com, eve@example.com",
      "ada @example.com",
      "caf\xc3\xa9@example.com",
      "ada@example.com\0eve"s,
      std::string(250, 'a') + "@b.cd",
  };
  for (const auto& to : recipients) {
    Mail mail = AMail();
    mail.to = to;
    auto checked = CheckMail(mail);
    ASSERT_FALSE(checked) << to;
    EXPECT_EQ(checked.error().code, ErrorCode::kBadRequest) << to;
  }
  for (const auto& subject : {"Hi\r\nBcc: eve@example.com"s, "Hi\nBcc: x"s, "Hi\r"s, "Hi\0there"s,
                              "Bell\a"s, "Del\x7f"s}) {
    Mail mail = AMail();
    mail.subject = subject;
    auto checked = CheckMail(mail);
    ASSERT_FALSE(checked) << subject;
    EXPECT_EQ(checked.error().code, ErrorCode::kBadRequest) << subject;
  }
}

TEST(EnvelopeAddressTest, FindsTheAddressInAFromValue) {
  EXPECT_EQ(EnvelopeAddress("maestro@example.com"), "maestro@example.com");
  EXPECT_EQ(EnvelopeAddress("Maestro CMDB <maestro@example.com>"), "maestro@example.com");
  EXPECT_EQ(EnvelopeAddress("Maestro <maestro@example.com"), "");
  EXPECT_EQ(EnvelopeAddress("Maestro <maestro@example.com> trailing"), "");
  EXPECT_EQ(EnvelopeAddress("<>"), "");
  EXPECT_EQ(EnvelopeAddress(""), "");
  EXPECT_EQ(EnvelopeAddress("not an address"), "");
}

TEST(FormatMailDateTest, WritesRfc5322DatesInUtc) {
  EXPECT_EQ(FormatMailDate(TimePoint(std::chrono::seconds(1709251199))),
            "Thu, 29 Feb 2024 23:59:59 +0000");
  EXPECT_EQ(FormatMailDate(TimePoint(std::chrono::seconds(0))), "Thu, 01 Jan 1970 00:00:00 +0000");
}

TEST(EncodeHeaderTextTest, LeavesPrintableAsciiAlone) {
  EXPECT_EQ(EncodeHeaderText("Reset your password"), "Reset your password");
  EXPECT_EQ(EncodeHeaderText(""), "");
}

TEST(EncodeHeaderTextTest, EncodesUtf8AsShortWordsThatEachDecode) {
  const std::string subject =
      "R\xc3\xa9initialisation du mot de passe \xe2\x80\x94 \xf0\x9f\x94\x91 " +
      std::string(30, 'x') + " \xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9";
  const std::string encoded = EncodeHeaderText(subject);
  std::vector<std::string> words;
  EXPECT_EQ(DecodeWords(encoded, &words), subject);
  EXPECT_GT(words.size(), 1u);
  for (const auto& word : words) {
    EXPECT_LE(word.size(), 75u) << word;
    // Each word alone is whole UTF-8: its last character is not cut.
    const std::string bytes = DecodeBase64(word.substr(10, word.size() - 12));
    EXPECT_NE(static_cast<unsigned char>(bytes.back()) & 0xC0, 0xC0u) << word;
    std::size_t i = bytes.size();
    while (i > 0 && (static_cast<unsigned char>(bytes[i - 1]) & 0xC0) == 0x80) --i;
    ASSERT_GT(i, 0u);
    const unsigned char lead = static_cast<unsigned char>(bytes[i - 1]);
    const std::size_t expected = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
    EXPECT_EQ(bytes.size() - (i - 1), expected) << word;
  }
}

TEST(EncodeHeaderTextTest, EncodesTextThatLooksLikeAnEncodedWord) {
  EXPECT_EQ(DecodeWords(EncodeHeaderText("=?UTF-8?B?eA==?=")), "=?UTF-8?B?eA==?=");
}

MessageFields Fields() {
  return MessageFields{.sender = "Maestro <maestro@example.com>",
                       .date = TimePoint(std::chrono::seconds(1709251199)),
                       .message_id = "<abc@example.com>",
                       .boundary = "=_maestro_b0undary"};
}

TEST(FormatMessageTest, WritesAPlainTextMessage) {
  Mail mail = AMail();
  mail.subject = "Caf\xc3\xa9";
  const std::string message = FormatMessage(mail, Fields());
  const std::string head = message.substr(0, message.find("\r\n\r\n") + 2);
  EXPECT_EQ(head,
            "Date: Thu, 29 Feb 2024 23:59:59 +0000\r\n"
            "Message-ID: <abc@example.com>\r\n"
            "From: Maestro <maestro@example.com>\r\n"
            "To: ada@example.com\r\n"
            "Subject: =?UTF-8?B?Q2Fmw6k=?=\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=UTF-8\r\n"
            "Content-Transfer-Encoding: base64\r\n");
  EXPECT_EQ(DecodeBase64(BodyAfter(message, "Content-Type: text/plain")), "Line one\r\nLine two");
  // Every line ends in CRLF and none is longer than 78 characters.
  std::size_t start = 0;
  for (std::size_t end; (end = message.find('\n', start)) != std::string::npos; start = end + 1) {
    ASSERT_GT(end, 0u);
    EXPECT_EQ(message[end - 1], '\r') << "bare LF at " << end;
    EXPECT_LE(end - start, 79u);
  }
  EXPECT_EQ(start, message.size()) << "ends with CRLF";
}

TEST(FormatMessageTest, WritesTextAndHtmlAsAlternatives) {
  Mail mail = AMail();
  mail.text = std::string(200, 't');
  mail.html = "<p>Caf\xc3\xa9</p>\r\n<p>" + std::string(100, 'h') + "</p>";
  const std::string message = FormatMessage(mail, Fields());
  EXPECT_NE(message.find("MIME-Version: 1.0\r\n"
                         "Content-Type: multipart/alternative; boundary=\"=_maestro_b0undary\""
                         "\r\n\r\n--=_maestro_b0undary\r\n"
                         "Content-Type: text/plain; charset=UTF-8\r\n"),
            std::string::npos)
      << message;
  EXPECT_EQ(DecodeBase64(BodyAfter(message, "Content-Type: text/plain")), mail.text);
  EXPECT_EQ(DecodeBase64(BodyAfter(message, "Content-Type: text/html")), mail.html);
  EXPECT_LT(message.find("text/plain"), message.find("text/html")) << "plain text first";
  EXPECT_TRUE(message.ends_with("\r\n--=_maestro_b0undary--\r\n")) << message;
}

TEST(SmtpMailerOfflineTest, RefusesInjectionBeforeConnecting) {
  // Nothing listens on the port: a kBadRequest (not kUnavailable) shows no connection was tried.
  SmtpMailer mailer(SmtpSettings{
      .host = "127.0.0.1", .port = testing::FreePort(), .sender = "maestro@example.com"});
  Mail mail = AMail();
  mail.to = "ada@example.com\r\nRCPT TO:<eve@example.com>";
  auto sent = mailer.Send(mail);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kBadRequest);
  mail = AMail();
  mail.subject = "Hi\r\n\r\nInjected body";
  sent = mailer.Send(mail);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kBadRequest);
}

TEST(SmtpMailerOfflineTest, AServerNobodyListensOnIsUnavailableNamingItButNotThePassword) {
  const int port = testing::FreePort();
  SmtpMailer mailer(SmtpSettings{.host = "127.0.0.1",
                                 .port = port,
                                 .sender = "maestro@example.com",
                                 .username = "maestro",
                                 .password = "hunter2-secret",
                                 .timeout = std::chrono::seconds(5)});
  auto sent = mailer.Send(AMail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("smtp://127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << sent.error().message;
  EXPECT_EQ(sent.error().message.find("hunter2-secret"), std::string::npos);
}

TEST(SmtpMailerOfflineTest, ASenderThatIsNoAddressIsUnavailable) {
  SmtpMailer mailer(SmtpSettings{.host = "127.0.0.1", .port = 1, .sender = "Maestro"});
  auto sent = mailer.Send(AMail());
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(sent.error().message.find("SMTP_SENDER"), std::string::npos);
}

TEST(LogMailerTest, LogsRecipientAndSubjectButNeverTheBody) {
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log)));
  Mail mail = AMail();
  mail.text = "reset link: https://maestro.example.com/reset?token=SECRET-TOKEN";
  mail.html = "<a href=\"https://maestro.example.com/reset?token=SECRET-TOKEN\">reset</a>";
  const Status sent = LogMailer().Send(mail);
  spdlog::set_default_logger(previous);
  EXPECT_TRUE(sent);
  EXPECT_NE(log.str().find("mail to ada@example.com: Hello"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("SECRET-TOKEN"), std::string::npos) << log.str();
}

TEST(LogMailerTest, RefusesInjection) {
  LogMailer mailer;
  Mail mail = AMail();
  mail.subject = "a\nb";
  auto sent = mailer.Send(mail);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kBadRequest);
}

}  // namespace
}  // namespace maestro::notify
