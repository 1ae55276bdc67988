#include "notify/mail_outbox.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>

namespace maestro::notify {
namespace {

using namespace std::chrono_literals;

// A Mailer that records attempts, fails the first `failures[subject]` of them, and can be held
// closed so that a delivery blocks until the test opens it.
class FakeMailer final : public Mailer {
 public:
  Status Send(const Mail& mail) override {
    std::unique_lock lock(mutex_);
    attempts_.push_back(mail.subject);
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    if (auto it = failures_.find(mail.subject); it != failures_.end() && it->second != 0) {
      if (it->second > 0) --it->second;
      return Fail(code_, "the fake server is down");
    }
    delivered_.push_back(mail.subject);
    changed_.notify_all();
    return {};
  }

  // Fails that subject's next `times` deliveries (-1: all of them) with `code`.
  void FailNext(const std::string& subject, int times, ErrorCode code = ErrorCode::kUnavailable) {
    std::lock_guard lock(mutex_);
    failures_[subject] = times;
    code_ = code;
  }
  void Hold() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void Open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  // Waits (at most 10 s) until `count` attempts (or deliveries) were made.
  bool WaitForAttempts(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return attempts_.size() >= count; });
  }
  bool WaitForDelivered(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 10s, [&] { return delivered_.size() >= count; });
  }
  std::vector<std::string> attempts() {
    std::lock_guard lock(mutex_);
    return attempts_;
  }
  std::vector<std::string> delivered() {
    std::lock_guard lock(mutex_);
    return delivered_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  std::map<std::string, int> failures_;
  ErrorCode code_ = ErrorCode::kUnavailable;
  std::vector<std::string> attempts_;
  std::vector<std::string> delivered_;
};

Mail MailAbout(std::string subject) {
  return Mail{.to = "ada@example.com", .subject = std::move(subject), .text = "body"};
}

OutboxSettings Fast() {
  return OutboxSettings{.retries = 3, .retry_delay = 1ms, .stop_timeout = 10s};
}

TEST(MailOutboxTest, ReturnsAtOnceAndDeliversInTheBackground) {
  FakeMailer fake;
  fake.Hold();  // a synchronous Send would block here forever
  MailOutbox outbox(fake, Fast());
  ASSERT_TRUE(outbox.Send(MailAbout("one")));
  ASSERT_TRUE(fake.WaitForAttempts(1));
  EXPECT_TRUE(fake.delivered().empty());
  fake.Open();
  ASSERT_TRUE(fake.WaitForDelivered(1));
  EXPECT_EQ(fake.delivered(), std::vector<std::string>{"one"});
}

TEST(MailOutboxTest, StopDeliversWhatIsQueuedInOrder) {
  FakeMailer fake;
  MailOutbox outbox(fake, Fast());
  for (const char* subject : {"a", "b", "c", "d", "e"}) {
    ASSERT_TRUE(outbox.Send(MailAbout(subject)));
  }
  outbox.Stop();
  EXPECT_EQ(fake.delivered(), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(outbox.Pending(), 0u);
}

TEST(MailOutboxTest, RetriesAFailedMailUntilItIsDelivered) {
  FakeMailer fake;
  fake.FailNext("flaky", 2);
  MailOutbox outbox(fake, Fast());
  ASSERT_TRUE(outbox.Send(MailAbout("flaky")));
  outbox.Stop();
  EXPECT_EQ(fake.attempts(), (std::vector<std::string>{"flaky", "flaky", "flaky"}));
  EXPECT_EQ(fake.delivered(), std::vector<std::string>{"flaky"});
}

TEST(MailOutboxTest, GivesUpAfterThreeRetries) {
  FakeMailer fake;
  fake.FailNext("doomed", -1);
  MailOutbox outbox(fake, Fast());
  ASSERT_TRUE(outbox.Send(MailAbout("doomed")));
  outbox.Stop();
  EXPECT_EQ(fake.attempts().size(), 4u) << "one attempt and three retries";
  EXPECT_TRUE(fake.delivered().empty());
  EXPECT_EQ(outbox.Pending(), 0u);
}

TEST(MailOutboxTest, DoesNotRetryMailTheServerCalledMalformed) {
  FakeMailer fake;
  fake.FailNext("refused", -1, ErrorCode::kBadRequest);
  MailOutbox outbox(fake, Fast());
  ASSERT_TRUE(outbox.Send(MailAbout("refused")));
  outbox.Stop();
  EXPECT_EQ(fake.attempts().size(), 1u);
}

TEST(MailOutboxTest, OtherMailFlowsWhileOneWaitsAndStopGivesUpAtItsTimeout) {
  FakeMailer fake;
  fake.FailNext("slow", 1);
  MailOutbox outbox(fake, OutboxSettings{.retries = 3, .retry_delay = 1h, .stop_timeout = 10ms});
  ASSERT_TRUE(outbox.Send(MailAbout("slow")));
  ASSERT_TRUE(fake.WaitForAttempts(1));
  ASSERT_TRUE(outbox.Send(MailAbout("quick")));
  ASSERT_TRUE(fake.WaitForDelivered(1));
  EXPECT_EQ(fake.delivered(), std::vector<std::string>{"quick"});
  EXPECT_EQ(outbox.Pending(), 1u) << "'slow' waits an hour for its retry";
  outbox.Stop();  // returns after stop_timeout, not an hour later
  EXPECT_EQ(outbox.Pending(), 0u);
  EXPECT_EQ(fake.attempts(), (std::vector<std::string>{"slow", "quick"}));
}

TEST(MailOutboxTest, ChecksMailAtOnceAndRefusesWhenStopped) {
  FakeMailer fake;
  MailOutbox outbox(fake, Fast());
  Mail bad = MailAbout("a\r\nBcc: eve@example.com");
  auto sent = outbox.Send(bad);
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kBadRequest);
  outbox.Stop();
  sent = outbox.Send(MailAbout("late"));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  EXPECT_TRUE(fake.attempts().empty());
  outbox.Stop();  // again: harmless
}

TEST(MailOutboxTest, RefusesMailBeyondItsQueueLimit) {
  FakeMailer fake;
  fake.Hold();
  MailOutbox outbox(fake, OutboxSettings{.retry_delay = 1ms, .stop_timeout = 10s, .max_queued = 2});
  ASSERT_TRUE(outbox.Send(MailAbout("in flight")));
  ASSERT_TRUE(fake.WaitForAttempts(1));  // taken off the queue, blocked in the fake
  ASSERT_TRUE(outbox.Send(MailAbout("queued 1")));
  ASSERT_TRUE(outbox.Send(MailAbout("queued 2")));
  auto sent = outbox.Send(MailAbout("one too many"));
  ASSERT_FALSE(sent);
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
  fake.Open();
  outbox.Stop();
  EXPECT_EQ(fake.delivered(), (std::vector<std::string>{"in flight", "queued 1", "queued 2"}));
}

}  // namespace
}  // namespace maestro::notify
