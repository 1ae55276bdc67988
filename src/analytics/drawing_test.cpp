// Drawings through Graphviz: a well-formed SVG with every node, labels escaped, tooltips with the
// servers, the layout as JSON, and PNGs.
#include "analytics/drawing.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <set>

namespace maestro::analytics {
namespace {

using nlohmann::json;

// The <g> of the SVG whose id is `id`.
pugi::xml_node Group(const pugi::xml_document& svg, const std::string& id) {
  return svg.find_node([&](pugi::xml_node node) {
    return std::string_view(node.name()) == "g" && id == node.attribute("id").value();
  });
}

// Every <text> inside a node, one string per element.
std::vector<std::string> Texts(pugi::xml_node group) {
  std::vector<std::string> out;
  for (auto found : group.select_nodes(".//*[local-name()='text']")) {
    out.push_back(found.node().text().get());
  }
  return out;
}

GraphData Shop() {
  GraphData graph;
  graph.nodes = {
      {.id = "01HZZZZZZZZZZZZZZZZZZZZZA1",
       .name = "Shop \"Front\" <v2> & co",
       .family = "CDN",
       .depth = 0,
       .servers = {{.id = "S1",
                    .hostname = "edge-1",
                    .ipv4_private = "10.0.0.1",
                    .ipv4_public = "203.0.113.7",
                    .environment = "Production"}}},
      {.id = "01HZZZZZZZZZZZZZZZZZZZZZA2",
       .name = "Kasse \\N ünd 日本",
       .family = "Application",
       .depth = 1},
      {.id = "01HZZZZZZZZZZZZZZZZZZZZZA3",
       .name = "a\\b </text><script>x</script>",
       .family = "Database",
       .depth = 2,
       .servers = {{.id = "S2", .hostname = "db-1", .environment = "Staging"}}},
  };
  graph.edges = {{0, 1, "rest", "https://kasse/api"}, {1, 2, "tcp", ""}, {0, 2, "grpc & co", ""}};
  return graph;
}

TEST(DrawTest, TheSvgIsWellFormedAndNamesEveryNodeAsWritten) {
  const GraphData graph = Shop();
  auto drawing = Draw(graph, "Shop & <friends>");
  ASSERT_TRUE(drawing) << drawing.error().message;
  pugi::xml_document svg;
  const auto parsed = svg.load_string(drawing->svg.c_str());
  ASSERT_TRUE(parsed) << parsed.description();
  EXPECT_STREQ(svg.document_element().name(), "svg");
  for (const Node& node : graph.nodes) {
    const pugi::xml_node group = Group(svg, node.id);
    ASSERT_TRUE(group) << node.name << " has no <g id=…> of its own";
    EXPECT_STREQ(group.attribute("class").value(), "node");
    const auto texts = Texts(group);
    EXPECT_NE(std::find(texts.begin(), texts.end(), node.name), texts.end())
        << "the label shows the name as written: " << node.name;
    EXPECT_NE(std::find(texts.begin(), texts.end(), node.family), texts.end());
  }
  EXPECT_EQ(drawing->svg.find("<script"), std::string::npos) << "names are text, never markup";
  // Tooltips: the application, then its servers.
  const std::string shop = Group(svg, graph.nodes[0].id).child("title").text().get();
  EXPECT_EQ(shop, "Shop \"Front\" <v2> & co (CDN)\nedge-1 · 10.0.0.1 · 203.0.113.7 · Production");
  EXPECT_EQ(std::string(Group(svg, graph.nodes[1].id).child("title").text().get()),
            "Kasse \\N ünd 日本 (Application)\nno servers");
  const std::string edge =
      Group(svg, "dep-" + graph.nodes[0].id + "-" + graph.nodes[1].id).child("title").text().get();
  EXPECT_EQ(edge, "Shop \"Front\" <v2> & co → Kasse \\N ünd 日本 (rest): https://kasse/api");
  const auto graph_group = svg.find_node([](pugi::xml_node node) {
    return std::string_view(node.attribute("class").value()) == "graph";
  });
  EXPECT_EQ(std::string(graph_group.child("title").text().get()), "Shop & <friends>");
  // Edge labels: the protocol.
  std::set<std::string> labels;
  for (auto found :
       svg.select_nodes("//*[local-name()='g'][@class='edge']//*[local-name()='text']")) {
    labels.insert(found.node().text().get());
  }
  EXPECT_EQ(labels, (std::set<std::string>{"rest", "tcp", "grpc & co"}));
}

TEST(DrawTest, TheLayoutGivesPositionsLeftToRightAndTheServers) {
  const GraphData graph = Shop();
  auto drawing = Draw(graph, "shop");
  ASSERT_TRUE(drawing) << drawing.error().message;
  const json layout = json::parse(drawing->layout);
  ASSERT_EQ(layout["nodes"].size(), 3u);
  ASSERT_EQ(layout["edges"].size(), 3u);
  std::map<std::string, json> by_id;
  for (const auto& node : layout["nodes"]) {
    for (const char* key : {"id", "name", "family", "depth", "x", "y", "servers"}) {
      EXPECT_TRUE(node.contains(key)) << key << " missing in " << node;
    }
    EXPECT_TRUE(node["x"].is_number() && node["y"].is_number()) << node;
    by_id[node["id"]] = node;
  }
  const json& cdn = by_id[graph.nodes[0].id];
  const json& app = by_id[graph.nodes[1].id];
  const json& db = by_id[graph.nodes[2].id];
  EXPECT_LT(cdn["x"].get<double>(), app["x"].get<double>()) << "dependencies go to the right";
  EXPECT_LT(app["x"].get<double>(), db["x"].get<double>());
  EXPECT_EQ(cdn["servers"], json::parse(R"([{"id": "S1", "hostname": "edge-1",
      "ipv4_private": "10.0.0.1", "ipv4_public": "203.0.113.7", "environment": "Production"}])"));
  EXPECT_EQ(db["servers"][0]["ipv4_private"], nullptr) << "absent fields are null";
  EXPECT_EQ(layout["edges"][0], json({{"from", graph.nodes[0].id},
                                      {"to", graph.nodes[1].id},
                                      {"via", "rest"},
                                      {"endpoint", "https://kasse/api"}}));
  EXPECT_EQ(layout["edges"][1]["endpoint"], nullptr);
}

TEST(DrawTest, CyclesAreDrawnAndColumnsFollowTheDepth) {
  // a → b → c → a, and c → b: the edges back are drawn, the columns stay a, b, c.
  GraphData graph;
  for (int i = 0; i < 3; ++i) {
    graph.nodes.push_back({.id = fmt::format("01HZZZZZZZZZZZZZZZZZZZZZC{}", i),
                           .name = std::string(1, static_cast<char>('a' + i)),
                           .family = "Application",
                           .depth = i});
  }
  graph.edges = {{0, 1, "rest", ""}, {1, 2, "rest", ""}, {2, 0, "tcp", ""}, {2, 1, "tcp", ""}};
  auto drawing = Draw(graph, "cycle");
  ASSERT_TRUE(drawing) << drawing.error().message;
  pugi::xml_document svg;
  ASSERT_TRUE(svg.load_string(drawing->svg.c_str()));
  for (const auto& [from, to] : std::vector<std::pair<int, int>>{{0, 1}, {1, 2}, {2, 0}, {2, 1}}) {
    const auto group = Group(svg, "dep-" + graph.nodes[from].id + "-" + graph.nodes[to].id);
    ASSERT_TRUE(group) << from << " → " << to;
    EXPECT_TRUE(group.find_child([](pugi::xml_node child) {
      return std::string_view(child.name()) == "path";
    })) << from
        << " → " << to << " has a line";
  }
  const json layout = json::parse(drawing->layout);
  EXPECT_LT(layout["nodes"][0]["x"].get<double>(), layout["nodes"][1]["x"].get<double>());
  EXPECT_LT(layout["nodes"][1]["x"].get<double>(), layout["nodes"][2]["x"].get<double>());
}

TEST(DrawTest, ManyEdgesStillCarryTheirLabels) {
  // 16 × 20 dependencies: past the count at which labels stop taking part in the layout.
  GraphData graph;
  for (int i = 0; i < 36; ++i) {
    graph.nodes.push_back({.id = fmt::format("01HZZZZZZZZZZZZZZZZZZZZZ{:02}", i),
                           .name = fmt::format("app-{}", i),
                           .family = "Application",
                           .depth = i < 16 ? 0 : 1});
  }
  for (std::size_t a = 0; a < 16; ++a) {
    for (std::size_t b = 16; b < 36; ++b) {
      graph.edges.push_back({a, b, fmt::format("p{}", (a * 20 + b) % 7), ""});
    }
  }
  auto drawing = Draw(graph, "wide");
  ASSERT_TRUE(drawing) << drawing.error().message;
  pugi::xml_document svg;
  ASSERT_TRUE(svg.load_string(drawing->svg.c_str()));
  std::size_t labelled = 0;
  for (auto found : svg.select_nodes("//*[local-name()='g'][@class='edge']")) {
    labelled += !Texts(found.node()).empty();
  }
  EXPECT_EQ(labelled, 320u);
}

TEST(RenderPngTest, DrawsThePngOfAStoredDrawingScaledToAtMost5760Pixels) {
  GraphData chain;
  for (int i = 0; i < 60; ++i) {
    chain.nodes.push_back({.id = fmt::format("01HZZZZZZZZZZZZZZZZZZZZZ{:02}", i),
                           .name = fmt::format("a rather long application name {}", i),
                           .family = "Application",
                           .depth = i});
    if (i > 0) {
      chain.edges.push_back(
          {static_cast<std::size_t>(i - 1), static_cast<std::size_t>(i), "rest", ""});
    }
  }
  auto drawing = Draw(chain, "chain");
  ASSERT_TRUE(drawing) << drawing.error().message;
  auto png = RenderPng(drawing->dot);
  ASSERT_TRUE(png) << png.error().message;
  ASSERT_GT(png->size(), 24u);
  EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  auto be32 = [&](std::size_t at) {
    return (static_cast<unsigned>(static_cast<unsigned char>((*png)[at])) << 24) |
           (static_cast<unsigned>(static_cast<unsigned char>((*png)[at + 1])) << 16) |
           (static_cast<unsigned>(static_cast<unsigned char>((*png)[at + 2])) << 8) |
           static_cast<unsigned>(static_cast<unsigned char>((*png)[at + 3]));
  };
  const unsigned width = be32(16), height = be32(20);  // the IHDR chunk
  EXPECT_LE(std::max(width, height), 5760u + 50u) << width << "×" << height;
  EXPECT_GT(width, 2000u) << "a long chain drawn left to right is wide";

  auto small = RenderPng(Draw(Shop(), "shop")->dot);
  ASSERT_TRUE(small) << small.error().message;
  EXPECT_EQ(small->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(RenderPngTest, TextThatIsNotADrawingIsAnErrorNotACrash) {
  auto png = RenderPng("this is { not dot");
  ASSERT_FALSE(png);
  EXPECT_EQ(png.error().code, ErrorCode::kInternal);
  EXPECT_NE(png.error().message.find("Graphviz"), std::string::npos) << png.error().message;
}

}  // namespace
}  // namespace maestro::analytics
