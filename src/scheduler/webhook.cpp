#include "scheduler/webhook.h"

#include <fmt/format.h>

#include <array>
#include <cctype>

#include "common/http_call.h"
#include "common/validation.h"

namespace maestro::scheduler {
namespace {

using nlohmann::json;

constexpr std::array kMethods = {"GET", "POST", "PUT", "PATCH", "DELETE"};

bool IsHeaderName(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return false;
  }
  return true;
}

bool IsHeaderValue(std::string_view value) {
  if (value.size() > 4000) return false;
  for (char c : value) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return false;
  }
  return true;
}

std::vector<FieldError> CheckArgs(const json& args) {
  std::vector<FieldError> problems;
  for (const auto& [key, value] : args.items()) {
    if (key != "url" && key != "method" && key != "headers" && key != "body") {
      problems.push_back({"args." + key, "is not a webhook argument (url, method, headers, body)"});
    }
  }
  if (!args.contains("url") || !args["url"].is_string()) {
    problems.push_back({"args.url", "is required: the http:// or https:// address to call"});
  } else {
    const std::string url = args["url"];
    if (!(url.starts_with("http://") || url.starts_with("https://")) || url.size() > 2000 ||
        url.find_first_of(" \t\r\n") != std::string::npos) {
      problems.push_back({"args.url", "must be an http:// or https:// address"});
    }
  }
  if (args.contains("method")) {
    if (!args["method"].is_string() ||
        std::find(kMethods.begin(), kMethods.end(), args["method"].get<std::string>()) ==
            kMethods.end()) {
      problems.push_back({"args.method", "must be one of GET, POST, PUT, PATCH, DELETE"});
    }
  }
  if (args.contains("headers")) {
    if (!args["headers"].is_object()) {
      problems.push_back({"args.headers", "must be an object of header names to text values"});
    } else {
      for (const auto& [name, value] : args["headers"].items()) {
        if (!IsHeaderName(name)) {
          problems.push_back({"args.headers." + name, "is not a valid header name"});
        } else if (!value.is_string() || !IsHeaderValue(value.get<std::string>())) {
          problems.push_back({"args.headers." + name, "must be text on one line"});
        }
      }
    }
  }
  return problems;
}

}  // namespace

TaskOffer WebhookOffer() {
  return {.task = "webhook",
          .check = [](const json& args, const std::string&) { return CheckArgs(args); },
          .max_attempts = 3};
}

jobs::JobType WebhookJob(std::chrono::seconds timeout) {
  return {.name = "webhook",
          .handler = [timeout](jobs::JobContext& context) -> Result<json> {
            const json& args = context.args();
            if (auto problems = CheckArgs(args); !problems.empty()) {
              return Fail(ErrorCode::kValidationFailed,
                          fmt::format("{} {}", problems.front().field, problems.front().problem));
            }
            HttpCall call{.method = args.value("method", "POST"),
                          .url = args["url"],
                          .timeout = timeout,
                          .max_reply = 1024 * 1024};
            bool has_type = false;
            if (args.contains("headers")) {
              for (const auto& [name, value] : args["headers"].items()) {
                call.headers.push_back(fmt::format("{}: {}", name, value.get<std::string>()));
                has_type = has_type || Lower(name) == "content-type";
              }
            }
            if (args.contains("body") && !args["body"].is_null()) {
              call.body =
                  args["body"].is_string() ? args["body"].get<std::string>() : args["body"].dump();
              if (!has_type) {
                call.headers.push_back(args["body"].is_string()
                                           ? "Content-Type: text/plain; charset=utf-8"
                                           : "Content-Type: application/json");
              }
            }
            call.headers.push_back("User-Agent: maestro-webhook");
            if (auto progress = context.Progress(0, 1, fmt::format("calling {}", call.url));
                !progress) {
              return Fail(progress.error());
            }
            auto reply = Perform(call);
            if (!reply) return Fail(reply.error());  // kUnavailable: retried
            // The reply's size only: a webhook may point inside the network Maestro runs in
            // (a metadata service, an admin port), and its answers are not the caller's to read.
            const json result = {{"status", reply->status}, {"reply_bytes", reply->body.size()}};
            const long status = reply->status;
            if (status >= 200 && status < 300) {
              (void)context.Progress(1, 1, fmt::format("HTTP {}", status));
              return result;
            }
            const std::string problem =
                fmt::format("{} {} answered HTTP {}", call.method, call.url, status);
            if (status == 408 || status == 429 || status >= 500) {
              return Fail(ErrorCode::kUnavailable, problem);
            }
            return Fail(ErrorCode::kBadRequest, problem);
          },
          .timeout = timeout + std::chrono::seconds(30)};
}

}  // namespace maestro::scheduler
