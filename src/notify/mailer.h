// Mailer: sends one e-mail. SmtpMailer talks to SMTP_HOST through libcurl; jobs::JobMailer queues
// a `mail` job, so that a request never waits for (or reveals timing of) mail delivery.
// Implementations are thread-safe.
#pragma once

#include <string>

#include "common/error.h"

namespace maestro::notify {

struct Mail {
  std::string to;       // one address
  std::string subject;  // UTF-8
  std::string text;     // plain-text body
  std::string html;     // optional HTML body (sent as multipart/alternative when set)
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // kUnavailable naming the server (never the password) when the mail cannot be delivered;
  // kBadRequest for an address that cannot be a recipient.
  virtual Status Send(const Mail& mail) = 0;
};

}  // namespace maestro::notify
