#include "http/router.h"

#include <algorithm>

namespace maestro::http {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    const auto slash = path.find('/', start);
    const auto end = slash == std::string_view::npos ? path.size() : slash;
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Specificity of a match, compared lexicographically: per segment 2 = literal, 1 = param, 0 = *.
using Score = std::vector<int>;

bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& parts,
             std::map<std::string, std::string>& params, Score& score) {
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& segment = pattern[i];
    if (segment == "*") {
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest += parts[j];
      }
      params["*"] = std::move(rest);
      score.push_back(0);
      return true;
    }
    if (i >= parts.size()) return false;
    if (segment.starts_with(':')) {
      if (parts[i].empty()) return false;
      params[segment.substr(1)] = std::string(parts[i]);
      score.push_back(1);
    } else if (segment == parts[i]) {
      score.push_back(2);
    } else {
      return false;
    }
  }
  return pattern.size() == parts.size();
}

}  // namespace

void Router::Add(Route route) {
  std::vector<std::string> segments;
  for (auto part : Split(route.pattern)) segments.emplace_back(part);
  segments_.push_back(std::move(segments));
  routes_.push_back(std::move(route));
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  const std::string_view wanted = method == "HEAD" ? "GET" : method;
  const auto parts = Split(path);
  RouteMatch best;
  Score best_score;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    std::map<std::string, std::string> params;
    Score score;
    if (!Matches(segments_[i], parts, params, score)) continue;
    const Route& route = routes_[i];
    // A catch-all ("*") route does not make other methods "allowed" on every path.
    if (score.empty() || score.back() != 0) {
      if (std::find(best.allowed.begin(), best.allowed.end(), route.method) == best.allowed.end()) {
        best.allowed.push_back(route.method);
      }
    }
    if (route.method != wanted) continue;
    if (best.route == nullptr || score > best_score) {
      best.route = &route;
      best.params = std::move(params);
      best_score = std::move(score);
    }
  }
  return best;
}

}  // namespace maestro::http
