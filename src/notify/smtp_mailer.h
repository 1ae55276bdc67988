// SmtpMailer: delivers mail to an SMTP server through libcurl (smtp:// with optional STARTTLS,
// or smtps://), plus the pure functions that check a Mail and format it as an RFC 5322 message.
//
// Messages are UTF-8: bodies are base64-encoded text/plain (and text/html, then as
// multipart/alternative), a non-ASCII subject is RFC 2047-encoded. Errors name the server, never
// the password. Thread-safe: each Send uses its own curl handle; settings are immutable.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "notify/mailer.h"

namespace maestro::notify {

struct SmtpSettings {
  std::string host;  // REQUIRES: not empty
  int port = 25;
  // The From address: "maestro@example.com" or "Maestro <maestro@example.com>".
  // REQUIRES: not empty.
  std::string sender;
  std::string username;     // empty = no login
  std::string password;     // never logged nor put in errors
  bool use_tls = false;     // implicit TLS from the first byte (smtps://, usually port 465)
  bool ignore_tls = false;  // never upgrade with STARTTLS (otherwise: when the server offers it)
  std::chrono::milliseconds timeout{30000};  // one whole delivery, connection included
};

class SmtpMailer final : public Mailer {
 public:
  explicit SmtpMailer(SmtpSettings settings);

  // kBadRequest when CheckMail refuses the mail; kUnavailable naming the server when the sender
  // setting is no address, the server cannot be reached, refuses us or the mail, or times out.
  Status Send(const Mail& mail) override;

 private:
  const SmtpSettings settings_;
};

// kBadRequest naming the problem when `mail` cannot be sent as it is: a recipient that is not
// one plain ASCII address (no display name, no list), or a subject with line breaks or other
// control characters (which would let text choose its own headers).
Status CheckMail(const Mail& mail);

// The address inside a From value: "a@b.c" for "Name <a@b.c>" or "a@b.c"; "" when it has none.
std::string EnvelopeAddress(std::string_view sender);

// "Tue, 24 Nov 2026 02:16:32 +0000" (RFC 5322 date-time, in UTC).
std::string FormatMailDate(TimePoint time);

// `text` as is when it is printable ASCII, otherwise as RFC 2047 "=?UTF-8?B?…?=" words of at most
// 75 characters, folded onto continuation lines, never splitting a UTF-8 character.
std::string EncodeHeaderText(std::string_view text);

struct MessageFields {
  std::string sender;      // From
  TimePoint date;          // Date
  std::string message_id;  // Message-ID, with its angle brackets
  std::string boundary;    // multipart boundary (used when the mail has HTML)
};

// The whole message (headers and body, CRLF line ends). REQUIRES: CheckMail(mail) succeeded.
std::string FormatMessage(const Mail& mail, const MessageFields& fields);

}  // namespace maestro::notify
