#include "common/metrics.h"

#include <fmt/format.h>

#include <algorithm>

namespace maestro {
namespace {

std::string RenderLabels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (out.size() > 1) out += ',';
    out += key;
    out += "=\"";
    for (char c : value) {
      if (c == '\\' || c == '"') out += '\\';
      if (c == '\n') {
        out += "\\n";
        continue;
      }
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

// Adds one label to an already rendered label set ("{a=\"1\"}" + le -> "{a=\"1\",le=\"0.5\"}").
std::string WithLabel(const std::string& rendered, std::string_view key, std::string_view value) {
  std::string label = fmt::format("{}=\"{}\"", key, value);
  if (rendered.empty()) return "{" + label + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + label + "}";
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

std::vector<double> MetricsRegistry::DefaultBuckets() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::MetricsRegistry(std::vector<double> buckets)
    : bucket_bounds_(std::move(buckets)) {}

void MetricsRegistry::Describe(const std::string& name, MetricType type, std::string help) {
  std::lock_guard lock(mutex_);
  Family& family = families_[name];
  family.type = type;
  family.help = std::move(help);
  family.described = true;
}

MetricsRegistry::Series& MetricsRegistry::SeriesFor(const std::string& name, const Labels& labels,
                                                    MetricType type) {
  Family& family = families_[name];
  if (!family.described) family.type = type;
  Series& series = family.series[RenderLabels(labels)];
  if (type == MetricType::kHistogram && series.buckets.empty()) {
    series.buckets.assign(bucket_bounds_.size(), 0);
  }
  return series;
}

void MetricsRegistry::Add(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  SeriesFor(name, labels, MetricType::kCounter).value += value;
}

void MetricsRegistry::Set(const std::string& name, const Labels& labels, double value) {
  std::lock_guard lock(mutex_);
  SeriesFor(name, labels, MetricType::kGauge).value = value;
}

void MetricsRegistry::Observe(const std::string& name, const Labels& labels, double value) {
  // Buckets are stored non-cumulative; Render() accumulates.
  Observe(Find(name, labels, MetricType::kHistogram), value);
}

MetricsRegistry::SeriesRef MetricsRegistry::Find(const std::string& name, const Labels& labels,
                                                 MetricType type) {
  std::lock_guard lock(mutex_);
  SeriesRef ref;
  ref.series_ = &SeriesFor(name, labels, type);  // std::map nodes never move
  return ref;
}

void MetricsRegistry::Add(SeriesRef series, double value) {
  std::lock_guard lock(mutex_);
  static_cast<Series*>(series.series_)->value += value;
}

void MetricsRegistry::Observe(SeriesRef series, double value) {
  std::lock_guard lock(mutex_);
  auto& target = *static_cast<Series*>(series.series_);
  target.value += value;
  ++target.count;
  const auto first = std::lower_bound(bucket_bounds_.begin(), bucket_bounds_.end(), value);
  if (first != bucket_bounds_.end()) ++target.buckets[first - bucket_bounds_.begin()];
}

void MetricsRegistry::OnRender(std::function<void(MetricsRegistry&)> refresh) {
  std::lock_guard lock(mutex_);
  refreshers_.push_back(std::move(refresh));
}

std::string MetricsRegistry::Render() {
  std::vector<std::function<void(MetricsRegistry&)>> refreshers;
  {
    std::lock_guard lock(mutex_);
    refreshers = refreshers_;
  }
  for (auto& refresh : refreshers) refresh(*this);

  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    if (family.series.empty()) continue;
    if (!family.help.empty()) out += fmt::format("# HELP {} {}\n", name, family.help);
    out += fmt::format("# TYPE {} {}\n", name, TypeName(family.type));
    for (const auto& [labels, series] : family.series) {
      if (family.type != MetricType::kHistogram) {
        out += fmt::format("{}{} {}\n", name, labels, series.value);
        continue;
      }
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < bucket_bounds_.size(); ++i) {
        cumulative += series.buckets[i];
        out +=
            fmt::format("{}_bucket{} {}\n", name,
                        WithLabel(labels, "le", fmt::format("{}", bucket_bounds_[i])), cumulative);
      }
      out += fmt::format("{}_bucket{} {}\n", name, WithLabel(labels, "le", "+Inf"), series.count);
      out += fmt::format("{}_sum{} {}\n", name, labels, series.value);
      out += fmt::format("{}_count{} {}\n", name, labels, series.count);
    }
  }
  return out;
}

}  // namespace maestro
