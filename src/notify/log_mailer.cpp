#include "notify/log_mailer.h"

#include <spdlog/spdlog.h>

#include "notify/smtp_mailer.h"

namespace maestro::notify {

Status LogMailer::Send(const Mail& mail) {
  if (auto checked = CheckMail(mail); !checked) return checked;
  spdlog::info("mail to {}: {} (not sent: SMTP_HOST is not set)", mail.to, mail.subject);
  return {};
}

}  // namespace maestro::notify
