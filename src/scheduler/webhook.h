// The webhook task: an HTTP call with the schedule's method, headers and body (DATA-MODEL.md,
// schedules). A reply of 2xx succeeds; no answer, 408, 429 or 5xx is transient (retried with
// backoff); any other status fails the run. The job's result keeps the status and the size of
// the reply, never its content: the address may be inside Maestro's network.
#pragma once

#include <chrono>

#include "jobs/workers.h"
#include "scheduler/schedules.h"

namespace maestro::scheduler {

TaskOffer WebhookOffer();
// `timeout` bounds each call (MAESTRO_TIMEOUT).
jobs::JobType WebhookJob(std::chrono::seconds timeout);

}  // namespace maestro::scheduler
