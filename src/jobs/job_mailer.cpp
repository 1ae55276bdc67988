#include "jobs/job_mailer.h"

#include "notify/smtp_mailer.h"

namespace maestro::jobs {

using nlohmann::json;

Status JobMailer::Send(const notify::Mail& mail) {
  if (auto checked = notify::CheckMail(mail); !checked) return checked;
  auto queued = jobs_.Enqueue({.type = "mail",
                               .args = {{"to", mail.to},
                                        {"subject", mail.subject},
                                        {"text", mail.text},
                                        {"html", mail.html}},
                               .max_attempts = 5});
  if (!queued) return Fail(queued.error());
  return {};
}

JobType MailJob(notify::Mailer& delivery) {
  return {.name = "mail",
          .handler = [&delivery](JobContext& context) -> Result<json> {
            const json& args = context.args();
            const notify::Mail mail{.to = args.value("to", ""),
                                    .subject = args.value("subject", ""),
                                    .text = args.value("text", ""),
                                    .html = args.value("html", "")};
            if (auto sent = delivery.Send(mail); !sent) return Fail(sent.error());
            return json{{"to", mail.to}};
          },
          .timeout = std::chrono::seconds(120),
          .keep_args = false};
}

}  // namespace maestro::jobs
