// Public links to a graph's drawing (API.md, Graphs): the token in a link, and the page it shows.
//
// A token is a JWT signed with MAESTRO_SECRETJWT_PUBLIC that names one graph and the graph's share
// epoch when it was given. It opens that graph's drawing only while the graph exists, is shared,
// and still has that epoch: revoking moves the epoch on, so every link given before stops at once
// (the original could not revoke). Tokens last kShareLife; any token that does not check out is
// simply "not found", whatever the reason.
//
// Pure functions; thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"

namespace maestro::analytics {

inline constexpr std::chrono::hours kShareLife{24 * 3650};

struct ShareClaims {
  std::string graph_id;
  std::int64_t epoch = 0;
};

std::string SignShareToken(const ShareClaims& claims, std::string_view secret, TimePoint now);
// The claims of a share token this server signed and that has not expired; kNotFound otherwise.
Result<ShareClaims> VerifyShareToken(std::string_view token, std::string_view secret,
                                     TimePoint now);

// The public page of a shared graph: the SVG inline, panned by dragging and zoomed with the wheel
// by an inline script, the graph's name as title, and a link to the raw SVG (`svg_href`). Nothing
// is fetched from anywhere; PublicPagePolicy() is the Content-Security-Policy it needs.
std::string PublicPage(std::string_view name, std::string_view svg, std::string_view svg_href);
const std::string& PublicPagePolicy();
// The policy for the raw SVG: no script, nothing fetched.
inline constexpr std::string_view kPublicSvgPolicy =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

}  // namespace maestro::analytics
