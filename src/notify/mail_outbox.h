// MailOutbox: a Mailer that queues mail and delivers it on one background thread through another
// Mailer (SmtpMailer, LogMailer), so that a request never waits for, or reveals by its timing,
// the delivery of a mail (e.g. whether a password-reset address exists).
//
// A failed delivery is logged (warn) and retried up to `retries` times with a growing delay;
// mail refused as malformed (kBadRequest) is not retried. Other mail keeps flowing while one
// waits for its retry. Stop() delivers what is queued, for at most `stop_timeout`, then joins;
// the destructor calls it. Thread-safe: Send may be called from any thread, also during Stop.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "notify/mailer.h"

namespace maestro::notify {

struct OutboxSettings {
  int retries = 3;                                // further attempts after a failure
  std::chrono::milliseconds retry_delay{2000};    // before retry n: n × retry_delay
  std::chrono::milliseconds stop_timeout{10000};  // how long Stop() keeps delivering
  std::size_t max_queued = 1000;                  // Send refuses beyond this
};

class MailOutbox final : public Mailer {
 public:
  // REQUIRES: `delivery` outlives this outbox. Starts the delivery thread.
  explicit MailOutbox(Mailer& delivery, OutboxSettings settings = {});
  ~MailOutbox() override;
  MailOutbox(const MailOutbox&) = delete;
  MailOutbox& operator=(const MailOutbox&) = delete;

  // Queues the mail and returns at once. kBadRequest when CheckMail refuses it (checked here so
  // the caller still hears of it); kUnavailable when the queue is full or the outbox stopped.
  Status Send(const Mail& mail) override;

  // Delivers what is queued, for at most stop_timeout (a delivery under way when the time runs
  // out is waited for: the wrapped mailer's own timeout bounds it), logs what is dropped, joins
  // the thread. Later Sends are refused. Idempotent.
  void Stop();

  // Mail queued or waiting for a retry (for /metrics and tests).
  std::size_t Pending() const;

 private:
  using SteadyTime = std::chrono::steady_clock::time_point;
  struct Entry {
    Mail mail;
    int attempts = 0;
    SteadyTime not_before;
  };
  void Run();

  Mailer& delivery_;
  const OutboxSettings settings_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  SteadyTime deadline_;  // set by Stop()
  std::thread thread_;
};

}  // namespace maestro::notify
