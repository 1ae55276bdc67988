// The RabbitMQ JobQueue, on rabbitmq-c (job_queue.h). A connection is used by one thread at a
// time: each consumer has its own, and publishing shares one behind a mutex. Heartbeats are off:
// rabbitmq-c only answers them inside its own calls, and a worker busy with a long job would be
// cut off (and its job redelivered) by the broker.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "jobs/job_queue.h"

namespace maestro::jobs {
namespace {

constexpr amqp_channel_t kChannel = 1;

struct Target {
  std::string host;
  int port = 5672;
  std::string user;
  std::string password;
  std::string vhost;
  std::string redacted;  // for messages
};

Result<Target> ParseUrl(const std::string& url) {
  std::string copy = url;
  amqp_connection_info info{};
  amqp_default_connection_info(&info);
  if (amqp_parse_url(copy.data(), &info) != AMQP_STATUS_OK || info.ssl) {
    return Fail(ErrorCode::kBadRequest,
                "the broker URL must look like amqp://user:password@host:5672/vhost");
  }
  // "amqp://host/" names the empty vhost, which nobody has: take it as the default "/".
  if (info.vhost == nullptr || *info.vhost == '\0') info.vhost = const_cast<char*>("/");
  Target target{
      .host = info.host,
      .port = info.port,
      .user = info.user,
      .password = info.password,
      .vhost = info.vhost,
      .redacted = fmt::format("amqp://{}@{}:{}/{}", info.user, info.host, info.port, info.vhost)};
  return target;
}

std::string ReplyText(const amqp_rpc_reply_t& reply) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return "ok";
    case AMQP_RESPONSE_NONE:
      return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      return amqp_error_string2(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD ||
          reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        const auto* close = static_cast<amqp_connection_close_t*>(reply.reply.decoded);
        return std::string(static_cast<const char*>(close->reply_text.bytes),
                           close->reply_text.len);
      }
      return "refused by the broker";
  }
  return "unknown reply";
}

// One AMQP connection with channel 1 open and the queue declared.
class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const Target& target, const std::string& queue,
                                                  int prefetch) {
    std::unique_ptr<Connection> connection(new Connection());
    amqp_connection_state_t state = connection->state_;
    amqp_socket_t* socket = amqp_tcp_socket_new(state);
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    auto fail = [&](std::string what) {
      return Fail(ErrorCode::kUnavailable,
                  fmt::format("RabbitMQ at {}: {}", target.redacted, what));
    };
    if (socket == nullptr) return fail("cannot make a socket");
    if (int opened = amqp_socket_open_noblock(socket, target.host.c_str(), target.port, &timeout);
        opened != AMQP_STATUS_OK) {
      return fail(fmt::format("cannot connect: {}", amqp_error_string2(opened)));
    }
    connection->open_ = true;
    auto login = amqp_login(state, target.vhost.c_str(), 0, 131072, /*heartbeat=*/0,
                            AMQP_SASL_METHOD_PLAIN, target.user.c_str(), target.password.c_str());
    if (login.reply_type != AMQP_RESPONSE_NORMAL) {
      return fail(fmt::format("login refused: {}", ReplyText(login)));
    }
    amqp_channel_open(state, kChannel);
    if (auto reply = amqp_get_rpc_reply(state); reply.reply_type != AMQP_RESPONSE_NORMAL) {
      return fail(fmt::format("cannot open a channel: {}", ReplyText(reply)));
    }
    amqp_queue_declare(state, kChannel, amqp_cstring_bytes(queue.c_str()), /*passive=*/0,
                       /*durable=*/1, /*exclusive=*/0, /*auto_delete=*/0, amqp_empty_table);
    if (auto reply = amqp_get_rpc_reply(state); reply.reply_type != AMQP_RESPONSE_NORMAL) {
      return fail(fmt::format("cannot declare queue {}: {}", queue, ReplyText(reply)));
    }
    if (prefetch > 0) {
      amqp_basic_qos(state, kChannel, 0, static_cast<std::uint16_t>(prefetch), 0);
      amqp_basic_consume(state, kChannel, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes,
                         /*no_local=*/0, /*no_ack=*/0, /*exclusive=*/0, amqp_empty_table);
      if (auto reply = amqp_get_rpc_reply(state); reply.reply_type != AMQP_RESPONSE_NORMAL) {
        return fail(fmt::format("cannot consume from {}: {}", queue, ReplyText(reply)));
      }
    }
    return connection;
  }

  ~Connection() {
    if (open_) amqp_connection_close(state_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(state_);
  }
  amqp_connection_state_t state() { return state_; }

 private:
  Connection() : state_(amqp_new_connection()) {}
  amqp_connection_state_t state_;
  bool open_ = false;
};

class AmqpQueue;

class AmqpConsumer final : public Consumer {
 public:
  AmqpConsumer(Jobs& jobs, const Target& target, const AmqpSettings& settings)
      : jobs_(jobs), target_(target), settings_(settings) {}

  // Connects (and starts consuming) unless connected.
  Status Open() {
    if (connection_) return {};
    auto opened = Connection::Open(target_, settings_.queue, settings_.prefetch);
    if (!opened) return Fail(opened.error());
    connection_ = std::move(*opened);
    ++generation_;
    return {};
  }

  Result<std::optional<JobRow>> Next(const std::string& worker,
                                     std::chrono::milliseconds wait) override {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    if (auto opened = Open(); !opened) return Fail(opened.error());
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::microseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      timeval timeout{.tv_sec = static_cast<time_t>(left.count() / 1000000),
                      .tv_usec = static_cast<suseconds_t>(left.count() % 1000000)};
      amqp_maybe_release_buffers(connection_->state());
      amqp_envelope_t envelope;
      auto reply = amqp_consume_message(connection_->state(), &envelope, &timeout, 0);
      if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION &&
          reply.library_error == AMQP_STATUS_TIMEOUT) {
        return std::nullopt;
      }
      if (reply.reply_type != AMQP_RESPONSE_NORMAL) {
        const std::string problem = ReplyText(reply);
        connection_.reset();  // reconnect on the next call; unacknowledged jobs are redelivered
        return Fail(ErrorCode::kUnavailable,
                    fmt::format("RabbitMQ at {}: {}", target_.redacted, problem));
      }
      const std::string id(static_cast<const char*>(envelope.message.body.bytes),
                           envelope.message.body.len);
      const std::uint64_t tag = envelope.delivery_tag;
      const bool redelivered = envelope.redelivered != 0;
      amqp_destroy_envelope(&envelope);
      auto claimed = jobs_.ClaimById(id, worker, redelivered);
      if (!claimed) return Fail(claimed.error());  // not acknowledged: the broker keeps it
      if (*claimed) {
        (*claimed)->delivery_tag = tag;
        tags_generation_ = generation_;
        return claimed;
      }
      // Finished already, or a live worker runs it: nothing to do.
      amqp_basic_ack(connection_->state(), kChannel, tag, 0);
    }
  }

  Status Done(const JobRow& job) override {
    // After a reconnection the tag means nothing: the broker redelivers that message, and the
    // job's row (finished) makes the next worker drop it.
    if (!connection_ || tags_generation_ != generation_) return {};
    if (amqp_basic_ack(connection_->state(), kChannel, job.delivery_tag, 0) != AMQP_STATUS_OK) {
      connection_.reset();
      return Fail(ErrorCode::kUnavailable, "RabbitMQ: cannot acknowledge a job");
    }
    return {};
  }

 private:
  Jobs& jobs_;
  const Target target_;
  const AmqpSettings settings_;
  std::unique_ptr<Connection> connection_;
  std::uint64_t generation_ = 0;
  std::uint64_t tags_generation_ = 0;
};

class AmqpQueue final : public JobQueue {
 public:
  AmqpQueue(Jobs& jobs, Target target, AmqpSettings settings)
      : jobs_(jobs), target_(std::move(target)), settings_(std::move(settings)) {}

  std::string Describe() const override {
    return fmt::format("RabbitMQ {} (queue {})", target_.redacted, settings_.queue);
  }

  void Announce(const std::vector<std::string>&) override {
    std::lock_guard lock(mutex_);
    if (auto dispatched = PublishDue(); !dispatched) {
      spdlog::warn("jobs wait in the database until the broker answers: {}",
                   dispatched.error().message);
    }
  }

  Result<std::unique_ptr<Consumer>> Consume() override {
    auto consumer = std::make_unique<AmqpConsumer>(jobs_, target_, settings_);
    if (auto opened = consumer->Open(); !opened) return Fail(opened.error());
    return std::unique_ptr<Consumer>(std::move(consumer));
  }

  // The workers' keeper, every second: also publishes again what may have been lost.
  Status Dispatch() override {
    std::lock_guard lock(mutex_);
    if (auto stale = jobs_.UndispatchStale(settings_.republish_after); !stale) {
      return Fail(stale.error());
    } else if (*stale > 0) {
      spdlog::warn("{} jobs published long ago are still queued: publishing them again", *stale);
    }
    return PublishDue();
  }

  Status Ping() override {
    std::lock_guard lock(mutex_);
    return Connect();
  }

  void WakeAll() override {}  // consumers wake by themselves within their wait

 private:
  // Publishes the due jobs not handed over yet. REQUIRES: mutex_ held.
  Status PublishDue() {
    while (true) {
      auto ids = jobs_.TakeUndispatched(500);
      if (!ids) return Fail(ids.error());
      if (ids->empty()) return {};
      for (std::size_t i = 0; i < ids->size(); ++i) {
        if (auto published = Publish((*ids)[i]); !published) {
          jobs_.Undispatch({ids->begin() + static_cast<std::ptrdiff_t>(i), ids->end()});
          return published;
        }
      }
    }
  }

  Status Connect() {
    if (publisher_) return {};
    auto opened = Connection::Open(target_, settings_.queue, 0);
    if (!opened) return Fail(opened.error());
    publisher_ = std::move(*opened);
    return {};
  }

  // Persistent message whose body is the job id. One reconnection on failure.
  Status Publish(const std::string& id) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (auto connected = Connect(); !connected) return connected;
      amqp_basic_properties_t properties{};
      properties._flags = AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_CONTENT_TYPE_FLAG;
      properties.delivery_mode = 2;
      properties.content_type = amqp_cstring_bytes("text/plain");
      const int sent = amqp_basic_publish(publisher_->state(), kChannel, amqp_empty_bytes,
                                          amqp_cstring_bytes(settings_.queue.c_str()), 0, 0,
                                          &properties, amqp_cstring_bytes(id.c_str()));
      if (sent == AMQP_STATUS_OK) return {};
      publisher_.reset();
    }
    return Fail(ErrorCode::kUnavailable,
                fmt::format("RabbitMQ at {}: cannot publish a job", target_.redacted));
  }

  Jobs& jobs_;
  const Target target_;
  const AmqpSettings settings_;
  std::mutex mutex_;
  std::unique_ptr<Connection> publisher_;
};

}  // namespace

Result<std::unique_ptr<JobQueue>> MakeAmqpQueue(Jobs& jobs, AmqpSettings settings) {
  auto target = ParseUrl(settings.url);
  if (!target) return Fail(target.error());
  auto queue = std::make_unique<AmqpQueue>(jobs, std::move(*target), std::move(settings));
  if (auto ready = queue->Ping(); !ready) return Fail(ready.error());
  return std::unique_ptr<JobQueue>(std::move(queue));
}

}  // namespace maestro::jobs
