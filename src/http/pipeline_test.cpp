#include "http/pipeline.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace maestro::http {
namespace {

using nlohmann::json;

class PipelineTest : public ::testing::Test {
 protected:
  PipelineTest() {
    router_.Add({.method = "POST",
                 .pattern = "/echo",
                 .summary = "echo",
                 .tag = "test",
                 .body = BodyKind::kJson,
                 .max_body = 0,
                 .handler = [](Request& request) -> Result<Response> {
                   return Response::Json(200, {{"got", request.Json()}});
                 }});
    router_.Add({.method = "POST",
                 .pattern = "/upload",
                 .summary = "big",
                 .tag = "test",
                 .body = BodyKind::kNone,
                 .max_body = 64,
                 .handler = [](Request&) -> Result<Response> { return Response{}; }});
    router_.Add({.method = "GET",
                 .pattern = "/fails",
                 .summary = "error value",
                 .tag = "test",
                 .body = BodyKind::kNone,
                 .max_body = 0,
                 .handler = [](Request&) -> Result<Response> {
                   return Fail(ErrorCode::kValidationFailed, "hostname is required",
                               {{"hostname", "is required"}});
                 }});
    router_.Add({.method = "GET",
                 .pattern = "/throws",
                 .summary = "bug",
                 .tag = "test",
                 .body = BodyKind::kNone,
                 .max_body = 0,
                 .handler = [](Request&) -> Result<Response> { throw std::logic_error("boom"); }});
  }

  Response Send(std::string method, std::string path, std::string body = {},
                HeaderList headers = {}) {
    Request request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.headers = std::move(headers);
    return pipeline_.Handle(request);
  }

  static json Body(const Response& response) { return json::parse(response.body); }

  Router router_;
  MetricsRegistry metrics_;
  Pipeline pipeline_{router_, metrics_,
                     PipelineSettings{.max_body = 1024, .cors_origins = {"https://ui.example"}}};
};

const HeaderList kJsonType = {{"content-type", "application/json"}};

TEST_F(PipelineTest, PassesParsedJsonToTheHandler) {
  auto response = Send("POST", "/echo", R"({"a":[1,2]})", kJsonType);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(Body(response)["got"]["a"][1], 2);
}

TEST_F(PipelineTest, MalformedJsonIsA400NamingThePosition) {
  auto response = Send("POST", "/echo", R"({"a": [1, 2})", kJsonType);
  EXPECT_EQ(response.status, 400);
  const json body = Body(response);
  EXPECT_EQ(body["error"]["code"], "bad_request");
  EXPECT_NE(body["error"]["message"].get<std::string>().find("malformed JSON at byte"),
            std::string::npos)
      << body.dump();
}

TEST_F(PipelineTest, BodyThatIsNotJsonIsA415) {
  auto response =
      Send("POST", "/echo", "a=1", {{"content-type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(response.status, 415);
  EXPECT_EQ(Body(response)["error"]["code"], "unsupported_media_type");
}

TEST_F(PipelineTest, MissingJsonBodyIsA400) {
  EXPECT_EQ(Send("POST", "/echo", "", kJsonType).status, 400);
}

TEST_F(PipelineTest, BodyOverTheLimitIsA413) {
  auto response = Send("POST", "/echo", std::string(2000, ' '), kJsonType);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(Body(response)["error"]["code"], "payload_too_large");
  EXPECT_EQ(Send("POST", "/upload", std::string(65, 'x')).status, 413) << "per-route limit";
}

TEST_F(PipelineTest, ErrorValuesBecomeTheEnvelopeWithDetails) {
  auto response = Send("GET", "/fails");
  EXPECT_EQ(response.status, 422);
  EXPECT_EQ(Body(response), json::parse(R"({"error":{"status":422,"code":"validation_failed",
              "message":"hostname is required",
              "details":[{"field":"hostname","problem":"is required"}]}})"));
  EXPECT_EQ(response.Header("Content-Type"), "application/json; charset=utf-8");
}

TEST_F(PipelineTest, AThrowingHandlerIsA500AndTheProcessGoesOn) {
  auto response = Send("GET", "/throws");
  EXPECT_EQ(response.status, 500);
  EXPECT_EQ(Body(response)["error"]["code"], "internal");
  EXPECT_EQ(Send("GET", "/fails").status, 422);
}

TEST_F(PipelineTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  auto missing = Send("GET", "/nowhere");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Body(missing)["error"]["code"], "not_found");
  auto wrong = Send("DELETE", "/echo");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.Header("Allow"), "POST");
}

TEST_F(PipelineTest, EchoesASafeRequestIdAndReplacesAnUnsafeOne) {
  auto kept = Send("GET", "/fails", "", {{"x-request-id", "abc-123"}});
  EXPECT_EQ(kept.Header("X-Request-Id"), "abc-123");
  auto replaced = Send("GET", "/fails", "", {{"x-request-id", "bad id\r\nx: y"}});
  EXPECT_NE(replaced.Header("X-Request-Id"), "bad id\r\nx: y");
  EXPECT_EQ(replaced.Header("X-Request-Id")->size(), 26u);
}

TEST_F(PipelineTest, CorsAllowsOnlyConfiguredOrigins) {
  auto preflight =
      Send("OPTIONS", "/echo", "",
           {{"origin", "https://ui.example"}, {"access-control-request-method", "POST"}});
  EXPECT_EQ(preflight.status, 204);
  EXPECT_EQ(preflight.Header("Access-Control-Allow-Origin"), "https://ui.example");
  EXPECT_TRUE(preflight.Header("Access-Control-Allow-Methods"));

  auto stranger = Send("GET", "/fails", "", {{"origin", "https://evil.example"}});
  EXPECT_FALSE(stranger.Header("Access-Control-Allow-Origin"));
}

TEST_F(PipelineTest, CountsRequestsByRoutePatternAndStatus) {
  Send("GET", "/fails");
  Send("GET", "/nowhere");
  const std::string text = metrics_.Render();
  EXPECT_NE(text.find(R"(maestro_http_requests_total{route="/fails",method="GET",status="422"} 1)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(route="unmatched",method="GET",status="404")"), std::string::npos);
  EXPECT_NE(text.find("maestro_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST_F(PipelineTest, DrainingAnswers503) {
  pipeline_.SetDraining(true);
  auto response = Send("GET", "/fails");
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(response.Header("Connection"), "close");
}

TEST(HttpStatusTest, MapsEveryCode) {
  EXPECT_EQ(HttpStatus(ErrorCode::kBadRequest), 400);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnauthorized), 401);
  EXPECT_EQ(HttpStatus(ErrorCode::kForbidden), 403);
  EXPECT_EQ(HttpStatus(ErrorCode::kNotFound), 404);
  EXPECT_EQ(HttpStatus(ErrorCode::kConflict), 409);
  EXPECT_EQ(HttpStatus(ErrorCode::kPreconditionFailed), 412);
  EXPECT_EQ(HttpStatus(ErrorCode::kPayloadTooLarge), 413);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnsupportedMediaType), 415);
  EXPECT_EQ(HttpStatus(ErrorCode::kValidationFailed), 422);
  EXPECT_EQ(HttpStatus(ErrorCode::kRateLimited), 429);
  EXPECT_EQ(HttpStatus(ErrorCode::kUnavailable), 503);
  EXPECT_EQ(HttpStatus(ErrorCode::kInternal), 500);
}

}  // namespace
}  // namespace maestro::http
