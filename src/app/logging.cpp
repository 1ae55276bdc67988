#include "app/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <mutex>

namespace maestro::app {
namespace {

// The message, escaped for a JSON string ("%*" in the JSON pattern).
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& message, const std::tm&,
              spdlog::memory_buf_t& out) override {
    static constexpr char kHex[] = "0123456789abcdef";
    for (char c : std::string_view(message.payload.data(), message.payload.size())) {
      switch (c) {
        case '"':
          out.append(std::string_view("\\\""));
          break;
        case '\\':
          out.append(std::string_view("\\\\"));
          break;
        case '\n':
          out.append(std::string_view("\\n"));
          break;
        case '\r':
          out.append(std::string_view("\\r"));
          break;
        case '\t':
          out.append(std::string_view("\\t"));
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            const char escaped[] = {'\\', 'u', '0', '0', kHex[(c >> 4) & 0xf], kHex[c & 0xf]};
            out.append(escaped, escaped + sizeof escaped);
          } else {
            out.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// stderr through stdio's buffer: spdlog's own console sinks flush after every line, which costs a
// write(2) per request. This one flushes when asked (every second, and at once for warnings).
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void SetupLogging(LogFormat format, const std::string& level) {
  // Logs go to stderr; stdout stays free for command output (`maestro config`, `version`).
  auto logger = std::make_shared<spdlog::logger>("maestro", std::make_shared<BufferedStderrSink>());
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format == LogFormat::kJson) {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":"%*"})");
  } else {
    formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%-5l%$ %v");
  }
  logger->set_formatter(std::move(formatter));
  logger->set_level(spdlog::level::from_str(level));
  static char buffer[1 << 16];
  std::setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  spdlog::flush_every(std::chrono::seconds(1));
}

}  // namespace maestro::app
