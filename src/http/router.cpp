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

// Whether a route's segments match the path's parts, and how specifically. No allocation for
// the routes that do not match (nearly all of them): the cost of routing is a few compares each.
bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& parts,
             Score& score) {
  score.clear();
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& segment = pattern[i];
    if (segment == "*") {
      score.push_back(0);
      return true;
    }
    if (i >= parts.size()) return false;
    if (segment.starts_with(':')) {
      if (parts[i].empty()) return false;
      score.push_back(1);
    } else if (segment == parts[i]) {
      score.push_back(2);
    } else {
      return false;
    }
  }
  return pattern.size() == parts.size();
}

// The parameters of a matching route.
std::map<std::string, std::string> Params(const std::vector<std::string>& pattern,
                                          const std::vector<std::string_view>& parts) {
  std::map<std::string, std::string> params;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const std::string& segment = pattern[i];
    if (segment == "*") {
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest += parts[j];
      }
      params["*"] = std::move(rest);
      break;
    }
    if (segment.starts_with(':')) params[segment.substr(1)] = std::string(parts[i]);
  }
  return params;
}

}  // namespace

namespace {

bool IsLiteral(const std::string& segment) { return !segment.starts_with(':') && segment != "*"; }

}  // namespace

void Router::Add(Route route) {
  std::vector<std::string> segments;
  for (auto part : Split(route.pattern)) segments.emplace_back(part);
  const std::size_t index = routes_.size();
  if (segments.size() >= 2 && IsLiteral(segments[0]) && IsLiteral(segments[1])) {
    by_prefix_[segments[0] + "/" + segments[1]].push_back(index);
  } else if (segments.size() == 1 && IsLiteral(segments[0])) {
    by_prefix_[segments[0]].push_back(index);
  } else {
    others_.push_back(index);
  }
  segments_.push_back(std::move(segments));
  routes_.push_back(std::move(route));
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  const std::string_view wanted = method == "HEAD" ? "GET" : method;
  const auto parts = Split(path);
  RouteMatch best;
  Score best_score;
  Score score;
  std::size_t best_index = 0;
  // The candidates, in the order the routes were added (the order of Allow's methods).
  std::vector<std::size_t> candidates = others_;
  const auto add = [&](const std::string& key) {
    if (auto it = by_prefix_.find(key); it != by_prefix_.end()) {
      candidates.insert(candidates.end(), it->second.begin(), it->second.end());
    }
  };
  if (parts.size() >= 2) add(std::string(parts[0]) + "/" + std::string(parts[1]));
  if (parts.size() == 1) add(std::string(parts[0]));
  std::sort(candidates.begin(), candidates.end());
  for (std::size_t i : candidates) {
    if (!Matches(segments_[i], parts, score)) continue;
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
      best_score = score;
      best_index = i;
    }
  }
  if (best.route != nullptr) best.params = Params(segments_[best_index], parts);
  return best;
}

}  // namespace maestro::http
