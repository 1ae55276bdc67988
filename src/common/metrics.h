// Prometheus-style metrics: counters, gauges and histograms with labels, rendered as text.
//
// One MetricsRegistry is made by the composition root and handed to whoever counts things
// (HTTP pipeline, later jobs and sync). Thread-safe: every call takes one internal mutex.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace maestro {

using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

class MetricsRegistry {
 public:
  // Upper bounds, in seconds, of the default latency histogram buckets.
  static std::vector<double> DefaultBuckets();

  MetricsRegistry() : MetricsRegistry(DefaultBuckets()) {}
  explicit MetricsRegistry(std::vector<double> buckets);

  // Declares a family; names used without a declaration render as "untyped".
  void Describe(const std::string& name, MetricType type, std::string help);
  // Adds `value` to a counter.
  void Add(const std::string& name, const Labels& labels, double value = 1);
  // Sets a gauge.
  void Set(const std::string& name, const Labels& labels, double value);
  // Records one observation in a histogram.
  void Observe(const std::string& name, const Labels& labels, double value);
  // A series found once and updated many times without rendering its labels again (hot paths
  // such as the per-request counters). Valid as long as the registry.
  class SeriesRef {
   public:
    SeriesRef() = default;

   private:
    friend class MetricsRegistry;
    void* series_ = nullptr;
  };
  SeriesRef Find(const std::string& name, const Labels& labels, MetricType type);
  void Add(SeriesRef series, double value = 1);
  void Observe(SeriesRef series, double value);

  // Registers a function called at each Render() to refresh gauges (e.g. process RSS).
  void OnRender(std::function<void(MetricsRegistry&)> refresh);

  // The Prometheus text exposition format (version 0.0.4).
  std::string Render();

 private:
  struct Series {
    double value = 0;  // counter/gauge value, or histogram sum
    std::uint64_t count = 0;
    std::vector<std::uint64_t> buckets;
  };
  struct Family {
    MetricType type = MetricType::kCounter;
    std::string help;
    bool described = false;
    std::map<std::string, Series> series;  // key: rendered label set
  };
  Series& SeriesFor(const std::string& name, const Labels& labels, MetricType type);

  const std::vector<double> bucket_bounds_;
  std::mutex mutex_;
  std::map<std::string, Family> families_;
  std::vector<std::function<void(MetricsRegistry&)>> refreshers_;
};

}  // namespace maestro
