#include "common/metrics.h"

#include <gtest/gtest.h>

namespace maestro {
namespace {

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(MetricsRegistryTest, RendersCountersWithHelpTypeAndLabels) {
  MetricsRegistry metrics;
  metrics.Describe("requests_total", MetricType::kCounter, "Requests.");
  metrics.Add("requests_total", {{"route", "/api"}, {"status", "200"}});
  metrics.Add("requests_total", {{"route", "/api"}, {"status", "200"}}, 2);
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "# HELP requests_total Requests.\n")) << text;
  EXPECT_TRUE(Contains(text, "# TYPE requests_total counter\n")) << text;
  EXPECT_TRUE(Contains(text, "requests_total{route=\"/api\",status=\"200\"} 3\n")) << text;
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  MetricsRegistry metrics({0.1, 1});
  metrics.Observe("latency", {{"route", "/x"}}, 0.05);
  metrics.Observe("latency", {{"route", "/x"}}, 0.5);
  metrics.Observe("latency", {{"route", "/x"}}, 5);
  const std::string text = metrics.Render();
  EXPECT_TRUE(Contains(text, "latency_bucket{route=\"/x\",le=\"0.1\"} 1\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_bucket{route=\"/x\",le=\"1\"} 2\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_bucket{route=\"/x\",le=\"+Inf\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_count{route=\"/x\"} 3\n")) << text;
  EXPECT_TRUE(Contains(text, "latency_sum{route=\"/x\"} 5.55\n")) << text;
}

TEST(MetricsRegistryTest, EscapesQuotesAndBackslashesInLabelValues) {
  MetricsRegistry metrics;
  metrics.Add("odd_total", {{"path", "a\"b\\c"}});
  EXPECT_TRUE(Contains(metrics.Render(), "odd_total{path=\"a\\\"b\\\\c\"} 1")) << metrics.Render();
}

TEST(MetricsRegistryTest, RefreshersRunAtEachRender) {
  MetricsRegistry metrics;
  int calls = 0;
  metrics.OnRender([&](MetricsRegistry& registry) { registry.Set("calls", {}, ++calls); });
  metrics.Render();
  EXPECT_TRUE(Contains(metrics.Render(), "calls 2\n"));
}

}  // namespace
}  // namespace maestro
