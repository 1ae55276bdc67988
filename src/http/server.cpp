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

namespace rws = restinio::websocket::basic;

void Answer(const restinio::request_handle_t& incoming, Response response);

}  // namespace

struct HttpServer::Impl {
  ServerSettings settings;
  Pipeline& pipeline;
  WebSocketHub* hub;
  std::atomic<std::uint16_t> bound_port = 0;
  std::once_flag stopped;
  restinio::running_server_handle_t<restinio::default_traits_t> server;

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
    auto ws = rws::upgrade<restinio::default_traits_t>(
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
    impl.server = restinio::run_async<restinio::default_traits_t>(
        restinio::own_io_context(),
        restinio::server_settings_t<restinio::default_traits_t>{}
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
