// JobMailer: a Mailer that queues each mail as a `mail` job, delivered by MailJob through the
// real Mailer (SMTP) by a worker — with the jobs' retries, and without a request ever waiting for
// SMTP. The job keeps no copy of the mail once it ended (reset links are secrets).
#pragma once

#include "jobs/jobs.h"
#include "jobs/workers.h"
#include "notify/mailer.h"

namespace maestro::jobs {

class JobMailer final : public notify::Mailer {
 public:
  explicit JobMailer(Jobs& jobs) : jobs_(jobs) {}
  // kBadRequest when the mail could never be sent (checked now, so the caller hears of it).
  Status Send(const notify::Mail& mail) override;

 private:
  Jobs& jobs_;
};

// Delivers `mail` jobs through `delivery`; its kUnavailable errors are retried.
JobType MailJob(notify::Mailer& delivery);

}  // namespace maestro::jobs
