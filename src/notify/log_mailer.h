// LogMailer: the Mailer used when no SMTP server is configured (SMTP_HOST unset). It sends
// nothing and logs one line per mail, "mail to <to>: <subject>", at info. Never the body: it
// carries password-reset links. Thread-safe (spdlog's loggers are).
#pragma once

#include "notify/mailer.h"

namespace maestro::notify {

class LogMailer final : public Mailer {
 public:
  // kBadRequest when CheckMail refuses the mail (so that tests and development catch what SMTP
  // would refuse); otherwise logs and succeeds.
  Status Send(const Mail& mail) override;
};

}  // namespace maestro::notify
