#include "notify/mail_outbox.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "notify/smtp_mailer.h"

namespace maestro::notify {

MailOutbox::MailOutbox(Mailer& delivery, OutboxSettings settings)
    : delivery_(delivery), settings_(settings), thread_([this] { Run(); }) {}

MailOutbox::~MailOutbox() { Stop(); }

Status MailOutbox::Send(const Mail& mail) {
  if (auto checked = CheckMail(mail); !checked) return checked;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return Fail(ErrorCode::kUnavailable, "the mail outbox is stopped");
    if (queue_.size() >= settings_.max_queued) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("the mail outbox is full ({} mails waiting)", queue_.size()));
    }
    queue_.push_back(Entry{mail, 0, std::chrono::steady_clock::now()});
  }
  wake_.notify_one();
  return {};
}

void MailOutbox::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      stopping_ = true;
      deadline_ = std::chrono::steady_clock::now() + settings_.stop_timeout;
    }
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::size_t MailOutbox::Pending() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void MailOutbox::Run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (stopping_ && (queue_.empty() || now >= deadline_)) break;
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    // The mail due first; among those due, the oldest (entries keep their queue order).
    auto next = std::min_element(queue_.begin(), queue_.end(), [](const Entry& a, const Entry& b) {
      return a.not_before < b.not_before;
    });
    if (next->not_before > now) {
      wake_.wait_until(lock, stopping_ ? std::min(next->not_before, deadline_) : next->not_before);
      continue;
    }
    Entry entry = std::move(*next);
    queue_.erase(next);
    lock.unlock();
    ++entry.attempts;
    const Status sent = delivery_.Send(entry.mail);
    lock.lock();
    if (sent) continue;
    const bool retry =
        sent.error().code != ErrorCode::kBadRequest && entry.attempts <= settings_.retries;
    spdlog::warn("mail to {} not delivered (attempt {}{}): {}", entry.mail.to, entry.attempts,
                 retry ? ", will retry" : ", giving up", sent.error().message);
    if (retry) {
      entry.not_before = std::chrono::steady_clock::now() + settings_.retry_delay * entry.attempts;
      queue_.push_back(std::move(entry));
    }
  }
  if (!queue_.empty()) {
    spdlog::warn("mail outbox stopped with {} mail(s) undelivered", queue_.size());
    queue_.clear();
  }
}

}  // namespace maestro::notify
