// Drawing a walked graph with Graphviz (libgvc/cgraph, the `dot` layout): left to right by
// dependency depth (edges back towards the entry points do not rank), nodes shaped and coloured
// by family and labelled with the application's name and
// family, each node's servers (hostnames, IPs, environment) in its `<title>` tooltip, edges
// labelled by protocol (`via`). Outputs the SVG, the layout as JSON (nodes with positions and
// servers, edges) and the laid-out DOT text, from which RenderPng draws the same picture as PNG
// later.
//
// Thread-safe: Graphviz keeps process-wide state (its context, plugins and error handler) and is
// not reentrant, so one drawing or rendering runs at a time in the process (a mutex), on one
// Graphviz context made at first use and kept for the life of the process (Graphviz 2.42 breaks
// when a second context is made after the first was freed).
#pragma once

#include <string>
#include <string_view>

#include "analytics/walk.h"
#include "common/error.h"

namespace maestro::analytics {

struct Drawing {
  std::string svg;
  // {nodes: [{id, name, family, depth, x, y, servers: [{id, hostname, ipv4_private, ipv4_public,
  // environment}]}], edges: [{from, to, via, endpoint}]} as JSON text; x and y are the node's
  // centre in points, from the drawing's top left corner (as in the SVG, y downwards).
  std::string layout;
  std::string dot;  // the laid-out graph in DOT, positions included
};

// Lays out and draws `graph`; `title` names the drawing (the SVG's title). kInternal when
// Graphviz fails.
Result<Drawing> Draw(const GraphData& graph, std::string_view title);

// A PNG of a drawing's laid-out DOT text (Drawing::dot), at most about 5,800 pixels on its longer
// side (larger drawings are scaled down; the SVG is the drawing at full size).
Result<std::string> RenderPng(std::string_view dot);

}  // namespace maestro::analytics
