#include "http/server.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <restinio/all.hpp>
#include <restinio/websocket/websocket.hpp>
#include <thread>

namespace maestro::http {
namespace {

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    default:
      return "Status";
  }
}

Request ToRequest(const restinio::request_t& incoming) {
  const auto& header = incoming.header();
  Request request;
  request.method = header.method().c_str();
  const std::string_view raw_path = header.path();
  request.path = DecodePercent(raw_path, false).value_or(std::string(raw_path));
  request.query_string = std::string(header.query());
  header.for_each_field([&](const restinio::http_header_field_t& field) {
    std::string name = field.name();
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    request.headers.emplace_back(std::move(name), field.value());
  });
  request.body = incoming.body();
  request.remote = incoming.remote_endpoint().address().to_string();
  return request;
}

// A TCP socket that answers "Expect: 100-continue" (RFC 9110, 10.1.1), which RESTinio does not:
// curl sends it before any body over 1 MiB and then waits a second for the answer, so each large
// import upload stood still for a second. The socket follows the requests it reads with an
// http_parser of its own (headers only; bodies are skipped) and writes the interim answer as soon
// as a request's head is in, before RESTinio reads the body. RESTinio reads and writes on the
// connection's strand, as does this socket's read handler: the answer cannot interleave with
// another write, and it is left out (the client then sends after its own wait) if a response is
// still being written, which only a pipelining client could cause.
class ContinueSocket {
 public:
  using executor_type = asio::ip::tcp::socket::executor_type;

  explicit ContinueSocket(asio::io_context& io)
      : state_(std::make_shared<State>(io.get_executor())) {}
  // As a moved-from asio socket, a moved-from ContinueSocket is a closed socket, ready for reuse
  // (the acceptor accepts the next connection into it).
  ContinueSocket(ContinueSocket&& other) noexcept : state_(std::move(other.state_)) {
    other.state_ = std::make_shared<State>(state_->socket.get_executor());
  }
  ContinueSocket& operator=(ContinueSocket&& other) noexcept {
    if (this != &other) {
      state_ = std::move(other.state_);
      other.state_ = std::make_shared<State>(state_->socket.get_executor());
    }
    return *this;
  }

  asio::ip::tcp::socket& lowest_layer() { return state_->socket; }
  const asio::ip::tcp::socket& lowest_layer() const { return state_->socket; }
  executor_type get_executor() { return state_->socket.get_executor(); }
  auto remote_endpoint() const { return state_->socket.remote_endpoint(); }
  bool is_open() const { return state_->socket.is_open(); }
  template <typename... Args>
  void cancel(Args&&... args) {
    state_->socket.cancel(std::forward<Args>(args)...);
  }
  template <typename... Args>
  void shutdown(Args&&... args) {
    state_->socket.shutdown(std::forward<Args>(args)...);
  }
  template <typename... Args>
  void close(Args&&... args) {
    state_->socket.close(std::forward<Args>(args)...);
  }

  template <typename Buffers, typename Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    auto executor = asio::get_associated_executor(handler, state_->socket.get_executor());
    state_->socket.async_read_some(
        buffers, asio::bind_executor(
                     executor, [state = state_, buffers, handler = std::forward<Handler>(handler)](
                                   const asio::error_code& error, std::size_t length) mutable {
                       if (!error) {
                         std::size_t left = length;
                         for (auto it = asio::buffer_sequence_begin(buffers);
                              left > 0 && it != asio::buffer_sequence_end(buffers); ++it) {
                           const std::size_t part = std::min(left, it->size());
                           state->Read(static_cast<const char*>(it->data()), part);
                           left -= part;
                         }
                       }
                       handler(error, length);
                     }));
  }

  template <typename Buffers, typename Handler>
  void async_write_some(const Buffers& buffers, Handler&& handler) {
    auto executor = asio::get_associated_executor(handler, state_->socket.get_executor());
    ++state_->writing;
    state_->socket.async_write_some(
        buffers, asio::bind_executor(
                     executor, [state = state_, handler = std::forward<Handler>(handler)](
                                   const asio::error_code& error, std::size_t length) mutable {
                       --state->writing;
                       handler(error, length);
                     }));
  }

  // Sendfile writes on the TCP socket itself (see its runner below): counted until `done` runs.
  restinio::impl::after_sendfile_cb_t CountedSendfile(restinio::impl::after_sendfile_cb_t done) {
    ++state_->writing;
    return [state = state_, done = std::move(done)](const asio::error_code& error, auto sent) {
      --state->writing;
      done(error, sent);
    };
  }

 private:
  struct State {
    explicit State(const executor_type& executor) : socket(executor) {
      http_parser_init(&parser, HTTP_REQUEST);
      parser.data = this;
      http_parser_settings_init(&settings);
      settings.on_header_field = [](http_parser* p, const char* at, std::size_t length) {
        auto* self = static_cast<State*>(p->data);
        if (!self->in_field) self->field.clear();
        self->in_field = true;
        if (self->field.size() < 64) self->field.append(at, std::min<std::size_t>(length, 64));
        return 0;
      };
      settings.on_header_value = [](http_parser* p, const char* at, std::size_t length) {
        auto* self = static_cast<State*>(p->data);
        if (self->in_field) {
          self->in_field = false;
          self->is_expect = EqualsIgnoringCase(self->field, "expect");
          if (self->is_expect) {
            self->is_expect_seen = true;
            self->value.clear();
          }
        }
        if (self->is_expect && self->value.size() < 64) {
          self->value.append(at, std::min<std::size_t>(length, 64));
        }
        return 0;
      };
      settings.on_headers_complete = [](http_parser* p) {
        auto* self = static_cast<State*>(p->data);
        self->wants_continue = (p->http_major > 1 || (p->http_major == 1 && p->http_minor >= 1)) &&
                               self->is_expect_seen &&
                               EqualsIgnoringCase(self->value, "100-continue");
        self->is_expect_seen = false;
        self->in_field = false;
        return 0;
      };
      settings.on_message_complete = [](http_parser* p) {
        static_cast<State*>(p->data)->wants_continue = false;
        return 0;
      };
    }

    static bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
      return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
             });
    }

    void Read(const char* data, std::size_t length) {
      if (done) return;
      http_parser_execute(&parser, &settings, data, length);
      // A request whose head is in but whose body is not: the client is waiting for the answer.
      if (wants_continue) {
        wants_continue = false;
        if (writing == 0) {
          static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
          asio::error_code ignored;
          asio::write(socket, asio::buffer(kContinue.data(), kContinue.size()), ignored);
        }
      }
      // Past an upgrade (WebSocket frames) or a request RESTinio refuses too: nothing to follow.
      if (parser.upgrade != 0 || HTTP_PARSER_ERRNO(&parser) != HPE_OK) done = true;
    }

    asio::ip::tcp::socket socket;
    http_parser parser{};
    http_parser_settings settings{};
    std::string field, value;
    bool in_field = false, is_expect = false, is_expect_seen = false;
    bool wants_continue = false, done = false;
    int writing = 0;
  };

  std::shared_ptr<State> state_;
};

// What RESTinio asks of a socket type besides the socket itself (as for its plain TCP socket).
template <typename Connection, typename StartRead, typename Failed>
void prepare_connection_and_start_read(ContinueSocket&, Connection&, StartRead start_read, Failed) {
  start_read();
}
restinio::impl::tls_socket_t* make_tls_socket_pointer_for_state_listener(ContinueSocket&) noexcept {
  return nullptr;
}

struct Traits : restinio::default_traits_t {
  using stream_socket_t = ContinueSocket;
};

}  // namespace
}  // namespace maestro::http

// Files go out with Linux sendfile() on the TCP socket under the ContinueSocket, as RESTinio does
// for a plain socket.
template <>
class restinio::impl::sendfile_operation_runner_t<maestro::http::ContinueSocket> final
    : public restinio::impl::sendfile_operation_base_t {
 public:
  sendfile_operation_runner_t(const restinio::sendfile_t& file,
                              restinio::default_asio_executor executor,
                              maestro::http::ContinueSocket& socket,
                              restinio::impl::after_sendfile_cb_t done)
      : runner_(std::make_shared<sendfile_operation_runner_t<asio::ip::tcp::socket>>(
            file, std::move(executor), socket.lowest_layer(),
            socket.CountedSendfile(std::move(done)))) {}
  void start() override { runner_->start(); }

 private:
  std::shared_ptr<sendfile_operation_runner_t<asio::ip::tcp::socket>> runner_;
};

namespace maestro::http {
namespace {

namespace rws = restinio::websocket::basic;

void Answer(const restinio::request_handle_t& incoming, Response response);

}  // namespace

struct HttpServer::Impl {
  ServerSettings settings;
  Pipeline& pipeline;
  WebSocketHub* hub;
  std::atomic<std::uint16_t> bound_port = 0;
  std::once_flag stopped;
  restinio::running_server_handle_t<Traits> server;

  // GET /ws: authenticates a ?token, then upgrades; the hub keeps the connection.
  restinio::request_handling_status_t OnWebSocket(const restinio::request_handle_t& incoming) {
    const auto& header = incoming->header();
    std::string upgrade = header.get_field_or(restinio::http_field::upgrade, "");
    for (auto& c : upgrade) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (upgrade != "websocket") {
      Answer(incoming, ErrorResponse({ErrorCode::kBadRequest,
                                      "GET /ws upgrades to a WebSocket (Upgrade: websocket)"}));
      return restinio::request_accepted();
    }
    std::optional<auth::Principal> principal;
    auto query = ParseQuery(std::string(header.query()));
    if (query) {
      for (const auto& [name, value] : *query) {
        if (name != "token") continue;
        auto caller = hub->Authenticate(value);
        if (!caller) {
          Answer(incoming, ErrorResponse(caller.error()));
          return restinio::request_accepted();
        }
        principal = std::move(*caller);
      }
    }
    WebSocketHub* const target = hub;
    auto ws = rws::upgrade<Traits>(
        *incoming, rws::activation_t::delayed,
        [target](const rws::ws_handle_t& handle, const rws::message_handle_t& message) {
          switch (message->opcode()) {
            case rws::opcode_t::text_frame:
              target->Message(handle->connection_id(), message->payload());
              break;
            case rws::opcode_t::ping_frame:
              handle->send_message(rws::final_frame, rws::opcode_t::pong_frame,
                                   restinio::writable_item_t(message->payload()));
              break;
            case rws::opcode_t::connection_close_frame:
              target->Closed(handle->connection_id());
              handle->send_message(rws::final_frame, rws::opcode_t::connection_close_frame,
                                   restinio::writable_item_t(rws::status_code_to_bin(
                                       rws::status_code_t::normal_closure)));
              break;
            default:
              break;
          }
        });
    const std::uint64_t id = ws->connection_id();
    std::weak_ptr<rws::ws_t> weak = ws;
    hub->Open(
        id, std::move(principal),
        [ws](const std::string& text) {
          try {
            ws->send_message(rws::final_frame, rws::opcode_t::text_frame,
                             restinio::writable_item_t(text));
          } catch (const std::exception&) {
            // closed meanwhile: its close frame removes it from the hub
          }
        },
        [weak](std::uint16_t code, const std::string& reason) {
          if (auto handle = weak.lock()) {
            try {
              std::string payload = rws::status_code_to_bin(static_cast<rws::status_code_t>(code));
              payload += reason.substr(0, 120);
              handle->send_message(rws::final_frame, rws::opcode_t::connection_close_frame,
                                   restinio::writable_item_t(std::move(payload)));
            } catch (const std::exception&) {
            }
          }
        });
    activate(*ws);
    return restinio::request_accepted();
  }

  restinio::request_handling_status_t OnRequest(const restinio::request_handle_t& incoming) {
    if (hub != nullptr && incoming->header().path() == "/ws" &&
        incoming->header().method() == restinio::http_method_get()) {
      return OnWebSocket(incoming);
    }
    Request request = ToRequest(*incoming);
    Response response;
    if (DecodePercent(incoming->header().path(), false)) {
      auto query = ParseQuery(request.query_string);
      if (query) {
        request.query = std::move(*query);
        response = pipeline.Handle(request);
      } else {
        response = ErrorResponse(query.error());
      }
    } else {
      response = ErrorResponse({ErrorCode::kBadRequest, "bad percent-encoding in the path"});
    }
    Answer(incoming, std::move(response));
    return restinio::request_accepted();
  }
};

namespace {

void Answer(const restinio::request_handle_t& incoming, Response response) {
  auto out = incoming->create_response(restinio::http_status_line_t(
      restinio::http_status_code_t(static_cast<std::uint16_t>(response.status)),
      std::string(ReasonPhrase(response.status))));
  for (auto& [name, value] : response.headers) {
    if (name == "Connection" && value == "close") {
      out.connection_close();
      continue;
    }
    out.append_header(name, std::move(value));
  }
  if (!response.file.empty()) {
    try {
      auto file = restinio::sendfile(response.file);
      std::remove(response.file.c_str());  // the open descriptor keeps the content until sent
      out.set_body(std::move(file));
    } catch (const std::exception& error) {
      std::remove(response.file.c_str());
      spdlog::error("cannot send {}: {}", response.file, error.what());
      out.connection_close();
    }
    out.done();
    return;
  }
  out.set_body(std::move(response.body));
  out.done();
}

}  // namespace

HttpServer::HttpServer(ServerSettings settings, Pipeline& pipeline, WebSocketHub* hub)
    : impl_(new Impl{.settings = std::move(settings), .pipeline = pipeline, .hub = hub}) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  Impl& impl = *impl_;
  try {
    impl.server = restinio::run_async<Traits>(
        restinio::own_io_context(),
        restinio::server_settings_t<Traits>{}
            .address(impl.settings.address)
            .port(impl.settings.port)
            .incoming_http_msg_limits(
                restinio::incoming_http_msg_limits_t{}.max_body_size(impl.settings.hard_body_limit))
            .acceptor_post_bind_hook([&impl](asio::ip::tcp::acceptor& acceptor) {
              impl.bound_port = acceptor.local_endpoint().port();
            })
            .request_handler([&impl](const restinio::request_handle_t& request) {
              return impl.OnRequest(request);
            }),
        std::max<std::size_t>(impl.settings.threads, 1));
  } catch (const std::exception& e) {
    return Fail(ErrorCode::kUnavailable,
                fmt::format("cannot listen on {}:{}: {}", impl.settings.address, impl.settings.port,
                            e.what()));
  }
  return {};
}

std::uint16_t HttpServer::port() const { return impl_->bound_port; }

void HttpServer::Stop() {
  Impl& impl = *impl_;
  if (!impl.server) return;
  std::call_once(impl.stopped, [&] {
    impl.pipeline.SetDraining(true);
    const auto deadline = std::chrono::steady_clock::now() + impl.settings.drain_timeout;
    while (impl.pipeline.in_flight() > 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (impl.pipeline.in_flight() > 0) {
      spdlog::warn("stopping with {} requests still running after {} ms", impl.pipeline.in_flight(),
                   impl.settings.drain_timeout.count());
    }
    if (impl.hub != nullptr) impl.hub->CloseAll();
    // Responses handed to the socket layer are written asynchronously; give them a moment.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    impl.server->stop();
    impl.server->wait();
  });
}

}  // namespace maestro::http
