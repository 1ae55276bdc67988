#include "http/multipart.h"

#include <gtest/gtest.h>

namespace maestro::http {
namespace {

using namespace std::string_literals;

constexpr char kType[] = "multipart/form-data; boundary=----maestro7MA4YWxk";

// A body as browsers write it, from (headers, content) pairs.
std::string Body(const std::vector<std::pair<std::string, std::string>>& parts,
                 const std::string& boundary = "----maestro7MA4YWxk") {
  std::string body;
  for (const auto& [headers, content] : parts) {
    body += "--" + boundary + "\r\n" + headers + "\r\n\r\n" + content + "\r\n";
  }
  return body + "--" + boundary + "--\r\n";
}

std::string ErrorOf(std::string_view content_type, std::string_view body) {
  auto parts = ParseMultipart(content_type, body);
  if (parts) return "(parsed " + std::to_string(parts->size()) + " parts)";
  EXPECT_EQ(parts.error().code, ErrorCode::kBadRequest) << parts.error().message;
  return parts.error().message;
}

TEST(ParseMultipartTest, SplitsFieldsAndABinaryFile) {
  const std::string png = "\x89PNG\r\n\x1a\n\0\0\r\n--not-the-boundary\r\n\r\n\xff"s;
  const std::string body = Body({
      {"Content-Disposition: form-data; name=\"title\"", "Hello, world"},
      {"Content-Disposition: form-data; name=\"note\"", "two\r\nlines"},
      {"Content-Disposition: form-data; name=\"avatar\"; filename=\"me.png\"\r\n"
       "Content-Type: image/png",
       png},
  });
  auto parts = ParseMultipart(kType, body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 3u);
  EXPECT_EQ((*parts)[0].name, "title");
  EXPECT_EQ((*parts)[0].bytes, "Hello, world");
  EXPECT_EQ((*parts)[0].filename, "");
  EXPECT_EQ((*parts)[0].content_type, "text/plain");
  EXPECT_EQ((*parts)[1].name, "note");
  EXPECT_EQ((*parts)[1].bytes, "two\r\nlines");
  EXPECT_EQ((*parts)[2].name, "avatar");
  EXPECT_EQ((*parts)[2].filename, "me.png");
  EXPECT_EQ((*parts)[2].content_type, "image/png");
  EXPECT_EQ((*parts)[2].bytes, png);
}

TEST(ParseMultipartTest, TakesAQuotedBoundaryAndOddlyCasedHeaders) {
  const std::string body = Body({{"content-disposition: FORM-DATA; filename=\"a \\\"b\\\".txt\"; "
                                  "name=\"f;1\"\r\nCONTENT-TYPE:text/csv",
                                  "a,b\n1,2"}},
                                "with space:and=sign");
  auto parts =
      ParseMultipart("Multipart/Form-Data; charset=utf-8; Boundary=\"with space:and=sign\"", body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "f;1");
  EXPECT_EQ((*parts)[0].filename, "a \"b\".txt");
  EXPECT_EQ((*parts)[0].content_type, "text/csv");
  EXPECT_EQ((*parts)[0].bytes, "a,b\n1,2");
}

TEST(ParseMultipartTest, IgnoresPreambleEpilogueAndKeepsEmptyValues) {
  const std::string body = "This is the preamble.\r\n" +
                           Body({{"Content-Disposition: form-data; name=\"empty\"", ""}}) +
                           "epilogue to ignore";
  auto parts = ParseMultipart(kType, body);
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "empty");
  EXPECT_EQ((*parts)[0].bytes, "");
}

TEST(ParseMultipartTest, AnEmptyFormHasNoParts) {
  auto parts = ParseMultipart(kType, "------maestro7MA4YWxk--\r\n");
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_TRUE(parts->empty());
}

TEST(ParseMultipartTest, RefusesBadContentTypes) {
  const std::string body = Body({{"Content-Disposition: form-data; name=\"a\"", "1"}});
  struct Case {
    const char* content_type;
    const char* problem;
  };
  const Case cases[] = {
      {"application/json", "expected a multipart/form-data body"},
      {"multipart/mixed; boundary=----maestro7MA4YWxk", "expected a multipart/form-data body"},
      {"multipart/form-data", "no boundary"},
      {"multipart/form-data; boundary=", "no boundary"},
      {"multipart/form-data; boundary=\"\"", "no boundary"},
      {"multipart/form-data; boundary=\"unterminated", "unterminated"},
      {"multipart/form-data; charset=utf-8", "no boundary"},
  };
  for (const auto& test : cases) {
    EXPECT_NE(ErrorOf(test.content_type, body).find(test.problem), std::string::npos)
        << test.content_type << " -> " << ErrorOf(test.content_type, body);
  }
  EXPECT_NE(
      ErrorOf("multipart/form-data; boundary=" + std::string(71, 'x'), body).find("longer than 70"),
      std::string::npos);
}

TEST(ParseMultipartTest, RefusesMalformedBodiesNamingTheProblem) {
  const std::string good = Body({{"Content-Disposition: form-data; name=\"a\"", "1"},
                                 {"Content-Disposition: form-data; name=\"b\"", "2"}});
  struct Case {
    const char* name;
    std::string body;
    const char* problem;
  };
  const Case cases[] = {
      {"empty body", "", "does not contain the boundary"},
      {"another boundary", Body({{"Content-Disposition: form-data; name=\"a\"", "1"}}, "other"),
       "does not contain the boundary"},
      {"truncated in the content", good.substr(0, good.find("\r\n\r\n2") + 5),
       "ends before the closing boundary"},
      {"truncated in a boundary line", good.substr(0, good.find("\r\nContent", 30) + 1),
       "ends before the closing boundary"},
      {"truncated before the closing dashes", good.substr(0, good.size() - 4),
       "ends before the closing boundary"},
      {"truncated right after a boundary", "------maestro7MA4YWxk",
       "ends before the closing boundary"},
      {"garbage after a boundary",
       "------maestro7MA4YWxkXYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
       "------maestro7MA4YWxk--",
       "no line break after boundary 1"},
      {"part without a name", Body({{"Content-Disposition: form-data; filename=\"x.png\"", "1"}}),
       "part 1 has no name"},
      {"part with an empty name", Body({{"Content-Disposition: form-data; name=\"\"", "1"}}),
       "part 1 has no name"},
      {"second part without a name",
       Body({{"Content-Disposition: form-data; name=\"a\"", "1"},
             {"Content-Type: text/plain", "2"}}),
       "part 2 has no Content-Disposition"},
      {"part without headers", "------maestro7MA4YWxk\r\n\r\nvalue\r\n------maestro7MA4YWxk--",
       "part 1 has no Content-Disposition"},
      {"not form-data", Body({{"Content-Disposition: attachment; name=\"a\"", "1"}}),
       "part 1 is not form-data"},
      {"header line without a colon", Body({{"Content-Disposition form-data", "1"}}),
       "part 1 has a header line without a name"},
      {"no blank line after the headers",
       "------maestro7MA4YWxk\r\nContent-Disposition: form-data; name=\"a\"\r\n"
       "------maestro7MA4YWxk--\r\n",
       "part 1 has no blank line after its headers"},
      {"unterminated quote", Body({{"Content-Disposition: form-data; name=\"a", "1"}}),
       "unterminated quoted string"},
  };
  for (const auto& test : cases) {
    const std::string error = ErrorOf(kType, test.body);
    EXPECT_NE(error.find(test.problem), std::string::npos) << test.name << ": " << error;
  }
}

TEST(ParseMultipartTest, TakesAtMostAHundredParts) {
  std::vector<std::pair<std::string, std::string>> parts(
      100, {"Content-Disposition: form-data; name=\"f\"", "x"});
  auto parsed = ParseMultipart(kType, Body(parts));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->size(), 100u);
  parts.push_back(parts.back());
  EXPECT_NE(ErrorOf(kType, Body(parts)).find("more than 100 parts"), std::string::npos);
}

}  // namespace
}  // namespace maestro::http
