#include "analytics/drawing.h"

#include <fmt/format.h>
#include <gvc.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <sstream>

namespace maestro::analytics {
namespace {

using nlohmann::json;

// Above this many edges, edge labels are placed after the layout (xlabel) instead of taking part
// in it: as part of the layout each label is a node of its own, which made a 500-node graph take
// ~4 s to lay out instead of ~0.6 s.
constexpr std::size_t kLabelledEdges = 300;

struct FamilyStyle {
  const char* shape;
  const char* fill;
  const char* style;
};

// Front doors warm, applications blue, data violet and red, the rest grey.
FamilyStyle StyleOf(std::string_view family) {
  static const std::map<std::string_view, FamilyStyle> kStyles = {
      {"CDN", {"hexagon", "#fde68a", "filled"}},
      {"ApiGateway", {"hexagon", "#fcd34d", "filled"}},
      {"Loadbalance", {"box", "#fdba74", "filled,diagonals"}},
      {"Application", {"box", "#bfdbfe", "filled,rounded"}},
      {"Serverless", {"box", "#c7d2fe", "filled,rounded,dashed"}},
      {"ContainerOrchestration", {"box3d", "#a5b4fc", "filled"}},
      {"ServiceMesh", {"box3d", "#c4b5fd", "filled"}},
      {"Database", {"cylinder", "#ddd6fe", "filled"}},
      {"Cache", {"cylinder", "#fecaca", "filled"}},
      {"Broker", {"cds", "#fed7aa", "filled"}},
      {"ObjectStorage", {"folder", "#bae6fd", "filled"}},
      {"NAS", {"folder", "#a5f3fc", "filled"}},
      {"Repository", {"folder", "#d9f99d", "filled"}},
      {"Auth", {"octagon", "#bbf7d0", "filled"}},
      {"DNS", {"ellipse", "#e9d5ff", "filled"}},
      {"VPN", {"ellipse", "#fbcfe8", "filled"}},
  };
  auto found = kStyles.find(family);
  return found != kStyles.end() ? found->second : FamilyStyle{"box", "#e5e7eb", "filled,rounded"};
}

// Text as a Graphviz escString: backslash starts an escape there (\N, \n, \l…), so a literal one is
// doubled. Quotes, <, > and & need nothing: labels set as plain strings are never HTML-like, and
// the SVG writer escapes them.
std::string Escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') out += '\\';
    out += c;
  }
  return out;
}

void Set(void* object, const char* name, const std::string& value) {
  agsafeset(object, const_cast<char*>(name), const_cast<char*>(value.c_str()),
            const_cast<char*>(""));
}

json TextOrNull(const std::string& text) { return text.empty() ? json(nullptr) : json(text); }

double Rounded(double value) { return std::round(value * 100) / 100; }

// What a node's tooltip says: the application, then one line per server.
std::string Tooltip(const Node& node) {
  std::string out = fmt::format("{} ({})", node.name, node.family);
  if (node.servers.empty()) return out + "\nno servers";
  for (const auto& server : node.servers) {
    std::string line = server.hostname;
    for (const std::string* part :
         {&server.ipv4_private, &server.ipv4_public, &server.environment}) {
      if (!part->empty()) line += " · " + *part;
    }
    out += "\n" + line;
  }
  return out;
}

std::string EdgeId(const Node& from, const Node& to) {
  return fmt::format("dep-{}-{}", from.id, to.id);
}

// Graphviz's one context, its error messages, and the lock around every use of it.
std::mutex graphviz_mutex;
std::string* graphviz_errors = nullptr;  // the messages of the call in progress

int KeepError(char* message) {
  if (graphviz_errors != nullptr && message != nullptr) *graphviz_errors += message;
  return 0;
}

GVC_t* Context() {
  static GVC_t* context = [] {
    agseterrf(KeepError);
    return gvContext();
  }();
  return context;
}

// The messages Graphviz gave during one call, kept while it lives. REQUIRES: the lock is held.
class ErrorsOfCall {
 public:
  ErrorsOfCall() { graphviz_errors = &text_; }
  ~ErrorsOfCall() { graphviz_errors = nullptr; }
  ErrorsOfCall(const ErrorsOfCall&) = delete;
  ErrorsOfCall& operator=(const ErrorsOfCall&) = delete;
  std::string Why(std::string_view what) const {
    std::string message = text_;
    while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back()))) {
      message.pop_back();
    }
    return message.empty() ? fmt::format("Graphviz could not {}", what)
                           : fmt::format("Graphviz could not {}: {}", what, message);
  }

 private:
  std::string text_;
};

// One rendering into memory.
Result<std::string> Render(GVC_t* context, Agraph_t* graph, const char* format,
                           const ErrorsOfCall& errors) {
  char* data = nullptr;
  unsigned int length = 0;
  if (gvRenderData(context, graph, format, &data, &length) != 0 || data == nullptr) {
    if (data != nullptr) gvFreeRenderData(data);
    return Fail(ErrorCode::kInternal, errors.Why(fmt::format("render {}", format)));
  }
  std::string out(data, length);
  gvFreeRenderData(data);
  return out;
}

// The SVG Graphviz wrote, with the titles (tooltips) of the graph, of each node and of each edge
// replaced by ours. pugixml writes them escaped; the DOCTYPE and comments are left out.
Result<std::string> Retitled(const std::string& svg, const std::string& title,
                             const std::map<std::string, std::string>& titles) {
  pugi::xml_document document;
  const auto parsed = document.load_buffer(svg.data(), svg.size());
  if (!parsed) {
    return Fail(ErrorCode::kInternal,
                fmt::format("the SVG Graphviz wrote does not parse: {}", parsed.description()));
  }
  for (pugi::xpath_node found : document.select_nodes("//*[local-name()='g'][@class]")) {
    pugi::xml_node group = found.node();
    const std::string kind = group.attribute("class").value();
    std::string text;
    if (kind == "graph") {
      text = title;
    } else if (auto known = titles.find(group.attribute("id").value()); known != titles.end()) {
      text = known->second;
    } else {
      continue;
    }
    pugi::xml_node element = group.child("title");
    if (!element) element = group.prepend_child("title");
    element.text().set(text.c_str());
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  return out.str();
}

}  // namespace

Result<Drawing> Draw(const GraphData& graph, std::string_view title) {
  std::map<std::string, std::string> titles;  // SVG id -> tooltip
  json nodes = json::array();
  json edges = json::array();
  std::lock_guard lock(graphviz_mutex);
  GVC_t* context = Context();
  ErrorsOfCall errors;
  Agraph_t* g = agopen(const_cast<char*>("graph"), Agdirected, nullptr);
  if (g == nullptr) return Fail(ErrorCode::kInternal, errors.Why("make a graph"));
  const bool few_edges = graph.edges.size() <= kLabelledEdges;
  Set(g, "rankdir", "LR");
  Set(g, "ranksep", few_edges ? "0.9" : "0.6");
  Set(g, "nodesep", "0.25");
  Set(g, "pad", "0.2");
  Set(g, "fontname", "Helvetica");
  Set(g, "outputorder", "edgesfirst");
  const auto node_defaults = [&](const char* name, const char* value) {
    agattr(g, AGNODE, const_cast<char*>(name), const_cast<char*>(value));
  };
  node_defaults("fontname", "Helvetica");
  node_defaults("fontsize", "11");
  node_defaults("margin", "0.12,0.05");
  node_defaults("color", "#475569");
  node_defaults("penwidth", "1");
  const auto edge_defaults = [&](const char* name, const char* value) {
    agattr(g, AGEDGE, const_cast<char*>(name), const_cast<char*>(value));
  };
  edge_defaults("fontname", "Helvetica");
  edge_defaults("fontsize", "9");
  edge_defaults("fontcolor", "#334155");
  edge_defaults("color", "#64748b");
  edge_defaults("arrowsize", "0.7");

  std::vector<Agnode_t*> made;
  made.reserve(graph.nodes.size());
  for (const Node& node : graph.nodes) {
    Agnode_t* n = agnode(g, const_cast<char*>(node.id.c_str()), 1);
    const FamilyStyle style = StyleOf(node.family);
    Set(n, "id", node.id);
    Set(n, "label", Escaped(node.name) + "\\n" + Escaped(node.family));
    Set(n, "shape", style.shape);
    Set(n, "style", style.style);
    Set(n, "fillcolor", style.fill);
    if (node.depth == 0) Set(n, "penwidth", "2");
    titles[node.id] = Tooltip(node);
    made.push_back(n);
  }
  for (const Edge& edge : graph.edges) {
    const Node& from = graph.nodes[edge.from];
    const Node& to = graph.nodes[edge.to];
    Agedge_t* e = agedge(g, made[edge.from], made[edge.to], nullptr, 1);
    const std::string id = EdgeId(from, to);
    Set(e, "id", id);
    // A dependency back towards the entry points (a cycle) or to a node no deeper is drawn but does
    // not rank: the columns follow the depth, and dot does not turn each cycle into long reversed
    // edges (a 500-node map with cycles took minutes to lay out, and takes under a second).
    if (to.depth <= from.depth) Set(e, "constraint", "false");
    if (!edge.via.empty()) Set(e, few_edges ? "label" : "xlabel", Escaped(edge.via));
    titles[id] = fmt::format("{} → {}{}{}", from.name, to.name,
                             edge.via.empty() ? "" : " (" + edge.via + ")",
                             edge.endpoint.empty() ? "" : ": " + edge.endpoint);
  }

  struct Cleanup {
    GVC_t* context;
    Agraph_t* graph;
    bool laid_out = false;
    ~Cleanup() {
      if (laid_out) gvFreeLayout(context, graph);
      agclose(graph);
    }
  } cleanup{context, g};
  if (gvLayout(context, g, "dot") != 0) {
    return Fail(ErrorCode::kInternal, errors.Why("lay the graph out"));
  }
  cleanup.laid_out = true;
  auto svg = Render(context, g, "svg", errors);
  if (!svg) return Fail(svg.error());
  auto dot = Render(context, g, "dot", errors);
  if (!dot) return Fail(dot.error());

  const double top = GD_bb(g).UR.y;
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    const pointf at = ND_coord(made[i]);
    json servers = json::array();
    for (const auto& server : node.servers) {
      servers.push_back({{"id", server.id},
                         {"hostname", server.hostname},
                         {"ipv4_private", TextOrNull(server.ipv4_private)},
                         {"ipv4_public", TextOrNull(server.ipv4_public)},
                         {"environment", TextOrNull(server.environment)}});
    }
    nodes.push_back({{"id", node.id},
                     {"name", node.name},
                     {"family", node.family},
                     {"depth", node.depth},
                     {"x", Rounded(at.x)},
                     {"y", Rounded(top - at.y)},
                     {"servers", std::move(servers)}});
  }
  for (const Edge& edge : graph.edges) {
    edges.push_back({{"from", graph.nodes[edge.from].id},
                     {"to", graph.nodes[edge.to].id},
                     {"via", TextOrNull(edge.via)},
                     {"endpoint", TextOrNull(edge.endpoint)}});
  }
  auto retitled = Retitled(*svg, std::string(title), titles);
  if (!retitled) return Fail(retitled.error());
  return Drawing{.svg = std::move(*retitled),
                 .layout = json{{"nodes", std::move(nodes)}, {"edges", std::move(edges)}}.dump(),
                 .dot = std::move(*dot)};
}

Result<std::string> RenderPng(std::string_view dot) {
  const std::string text(dot);
  std::lock_guard lock(graphviz_mutex);
  GVC_t* context = Context();
  ErrorsOfCall errors;
  Agraph_t* g = agmemread(text.c_str());
  if (g == nullptr) return Fail(ErrorCode::kInternal, errors.Why("read the drawing"));
  struct Cleanup {
    GVC_t* context;
    Agraph_t* graph;
    bool laid_out = false;
    ~Cleanup() {
      if (laid_out) gvFreeLayout(context, graph);
      agclose(graph);
    }
  } cleanup{context, g};
  // 80 inches at 72 dpi: at most 5,760 pixels on the longer side ("size" only ever shrinks).
  Set(g, "size", "80,80");
  Set(g, "dpi", "72");
  // Laid out again by dot, which gives the same drawing from the same graph. (Graphviz's "nop2",
  // which takes the positions of the DOT text as they are, leaks memory with every call in 2.42.)
  if (gvLayout(context, g, "dot") != 0) {
    return Fail(ErrorCode::kInternal, errors.Why("read the drawing's layout"));
  }
  cleanup.laid_out = true;
  return Render(context, g, "png", errors);
}

}  // namespace maestro::analytics

#if defined(__SANITIZE_ADDRESS__)
// Fontconfig (under Graphviz's text layout) keeps its font configuration for the life of the
// process and never frees it; LeakSanitizer would report it at the exit of every process that drew
// a graph. Weak, as reports/exports.cpp says the same for cairo: one of them is kept.
extern "C" __attribute__((weak)) const char* __lsan_default_suppressions() {
  return "leak:libfontconfig.so\n";
}
#endif
