#include "notify/smtp_mailer.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <memory>
#include <mutex>

#include "common/curl.h"
#include "common/ids.h"

namespace maestro::notify {
namespace {

bool IsAsciiAddressCharacter(char c) {
  // RFC 5321 mailbox characters we accept: atext plus '.', '@'; no quoting, no brackets.
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~.@").find(c) != std::string_view::npos;
}

bool IsAddress(std::string_view address) {
  if (address.empty() || address.size() > 254) return false;
  if (!std::all_of(address.begin(), address.end(), IsAsciiAddressCharacter)) return false;
  const auto at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == address.size()) return false;
  return address.find('@') == at;
}

// Base64 of `bytes` in lines of at most 76 characters, each ended by CRLF.
std::string Base64Lines(std::string_view bytes) {
  if (bytes.empty()) return {};
  std::string encoded(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL),
                      '\0');
  sodium_bin2base64(encoded.data(), encoded.size(),
                    reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  encoded.pop_back();  // the terminating NUL
  std::string lines;
  for (std::size_t i = 0; i < encoded.size(); i += 76) {
    lines += encoded.substr(i, 76);
    lines += "\r\n";
  }
  return lines;
}

// Text with every line end (CRLF, lone LF, lone CR) made CRLF, as MIME text requires.
std::string CanonicalLineEnds(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string TextPart(std::string_view subtype, std::string_view body) {
  return fmt::format(
      "Content-Type: text/{}; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}",
      subtype, Base64Lines(CanonicalLineEnds(body)));
}

// Hands the message to curl piece by piece.
struct Upload {
  std::string_view remaining;
};

size_t ReadMessage(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const std::size_t n = std::min(size * count, upload->remaining.size());
  std::copy_n(upload->remaining.data(), n, buffer);
  upload->remaining.remove_prefix(n);
  return n;
}

}  // namespace

Status CheckMail(const Mail& mail) {
  if (mail.to.find_first_of("\r\n") != std::string::npos) {
    return Fail(ErrorCode::kBadRequest, "the recipient contains a line break");
  }
  if (!IsAddress(mail.to)) {
    return Fail(ErrorCode::kBadRequest,
                fmt::format("'{}' is not an e-mail address a mail can be sent to", mail.to));
  }
  for (const char c : mail.subject) {
    if (c == '\r' || c == '\n') {
      return Fail(ErrorCode::kBadRequest, "the mail subject contains a line break");
    }
    if ((c >= 0 && c < 0x20 && c != '\t') || c == 0x7f) {
      return Fail(ErrorCode::kBadRequest, "the mail subject contains a control character");
    }
  }
  return {};
}

std::string EnvelopeAddress(std::string_view sender) {
  const auto open = sender.rfind('<');
  if (open != std::string_view::npos) {
    const auto close = sender.find('>', open);
    if (close == std::string_view::npos || close + 1 != sender.size()) return {};
    sender = sender.substr(open + 1, close - open - 1);
  }
  return IsAddress(sender) ? std::string(sender) : std::string();
}

std::string FormatMailDate(TimePoint time) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[utc.tm_wday], utc.tm_mday,
                     kMonths[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::string EncodeHeaderText(std::string_view text) {
  if (std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c < 0x7f; }) &&
      text.find("=?") == std::string_view::npos) {
    return std::string(text);
  }
  // "=?UTF-8?B?" + base64 + "?=" is at most 75 characters when the base64 is at most 60, that
  // is, 45 bytes of text; cut before a UTF-8 continuation byte so each word decodes alone.
  constexpr std::size_t kMaxBytes = 45;
  std::string out;
  while (!text.empty()) {
    std::size_t n = std::min(kMaxBytes, text.size());
    while (n < text.size() && n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    if (n == 0) n = std::min(kMaxBytes, text.size());  // not UTF-8 after all: cut anywhere
    std::string word = Base64Lines(text.substr(0, n));
    word.resize(word.size() - 2);  // one line: drop its CRLF
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + word + "?=";
    text.remove_prefix(n);
  }
  return out;
}

std::string FormatMessage(const Mail& mail, const MessageFields& fields) {
  std::string message = fmt::format(
      "Date: {}\r\nMessage-ID: {}\r\nFrom: {}\r\nTo: {}\r\nSubject: {}\r\nMIME-Version: 1.0\r\n",
      FormatMailDate(fields.date), fields.message_id, fields.sender, mail.to,
      EncodeHeaderText(mail.subject));
  if (mail.html.empty()) {
    message += TextPart("plain", mail.text);
    return message;
  }
  message +=
      fmt::format("Content-Type: multipart/alternative; boundary=\"{}\"\r\n\r\n", fields.boundary);
  // Plain text first: clients show the last alternative they understand.
  message +=
      fmt::format("--{}\r\n{}--{}\r\n{}--{}--\r\n", fields.boundary, TextPart("plain", mail.text),
                  fields.boundary, TextPart("html", mail.html), fields.boundary);
  return message;
}

SmtpMailer::SmtpMailer(SmtpSettings settings) : settings_(std::move(settings)) {}

Status SmtpMailer::Send(const Mail& mail) {
  if (auto checked = CheckMail(mail); !checked) return checked;
  const std::string server = fmt::format("{}://{}:{}", settings_.use_tls ? "smtps" : "smtp",
                                         settings_.host, settings_.port);
  const std::string from = EnvelopeAddress(settings_.sender);
  if (from.empty() || settings_.sender.find_first_of("\r\n") != std::string::npos) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("the mail sender '{}' (SMTP_SENDER) is not an e-mail address",
                            settings_.sender));
  }
  const std::string domain = from.substr(from.find('@') + 1);
  // The boundary holds '_', which base64 never does, so no body line can look like it.
  const std::string message =
      FormatMessage(mail, MessageFields{.sender = settings_.sender,
                                        .date = std::chrono::system_clock::now(),
                                        .message_id = fmt::format("<{}@{}>", RandomHex(16), domain),
                                        .boundary = "=_maestro_" + RandomHex(12)});

  EnsureCurl();
  std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
  if (!curl) return Fail(ErrorCode::kInternal, "curl_easy_init failed");
  CURL* handle = curl.get();
  const std::string mail_from = "<" + from + ">";
  const std::string recipient = "<" + mail.to + ">";
  std::unique_ptr<curl_slist, CurlDeleter> recipients(
      curl_slist_append(nullptr, recipient.c_str()));
  if (!recipients) return Fail(ErrorCode::kInternal, "curl_slist_append failed");
  Upload upload{message};
  char error_text[CURL_ERROR_SIZE] = {};
  const long timeout_ms = static_cast<long>(settings_.timeout.count());

  curl_easy_setopt(handle, CURLOPT_URL, server.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 10000L));
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(handle, CURLOPT_USE_SSL,
                   static_cast<long>(settings_.ignore_tls ? CURLUSESSL_NONE : CURLUSESSL_TRY));
  if (!settings_.username.empty()) {
    curl_easy_setopt(handle, CURLOPT_USERNAME, settings_.username.c_str());
    curl_easy_setopt(handle, CURLOPT_PASSWORD, settings_.password.c_str());
  }
  curl_easy_setopt(handle, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(handle, CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(handle, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  curl_easy_setopt(handle, CURLOPT_READFUNCTION, ReadMessage);
  curl_easy_setopt(handle, CURLOPT_READDATA, &upload);

  const CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot send mail to {} through {}: {}", mail.to, server,
                            error_text[0] != '\0' ? error_text : curl_easy_strerror(code)));
  }
  return {};
}

}  // namespace maestro::notify
