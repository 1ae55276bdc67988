#include "analytics/share.h"

#include <fmt/format.h>
#include <sodium.h>

#include <nlohmann/json.hpp>

#include "auth/jwt.h"
#include "common/ids.h"
#include "common/validation.h"

namespace maestro::analytics {
namespace {

// What share tokens say they are, so that no other token signed with the same secret passes.
constexpr std::string_view kAudience = "graph-share";

std::int64_t UnixSeconds(TimePoint time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

// Pan and zoom of the inline SVG: a CSS transform on it, changed by dragging and the wheel
// (around the pointer); "Fit" and resizing the window show it whole.
constexpr std::string_view kScript = R"js((function () {
  var view = document.getElementById('view'), svg = view.querySelector('svg');
  if (!svg) return;
  var scale = 1, x = 0, y = 0, drag = null;
  function apply() {
    svg.style.transform = 'translate(' + x + 'px,' + y + 'px) scale(' + scale + ')';
  }
  function fit() {
    var box = view.getBoundingClientRect();
    var w = svg.width.baseVal.value || 1, h = svg.height.baseVal.value || 1;
    scale = Math.min(box.width / w, box.height / h, 1);
    x = (box.width - w * scale) / 2;
    y = (box.height - h * scale) / 2;
    apply();
  }
  view.addEventListener('wheel', function (event) {
    event.preventDefault();
    var box = view.getBoundingClientRect();
    var px = event.clientX - box.left, py = event.clientY - box.top;
    var next = Math.min(Math.max(scale * Math.exp(-event.deltaY * 0.0015), 0.02), 8);
    x = px - (px - x) * next / scale;
    y = py - (py - y) * next / scale;
    scale = next;
    apply();
  }, {passive: false});
  view.addEventListener('pointerdown', function (event) {
    drag = {x: event.clientX - x, y: event.clientY - y};
    view.setPointerCapture(event.pointerId);
    view.classList.add('dragging');
  });
  view.addEventListener('pointermove', function (event) {
    if (!drag) return;
    x = event.clientX - drag.x;
    y = event.clientY - drag.y;
    apply();
  });
  function end() { drag = null; view.classList.remove('dragging'); }
  view.addEventListener('pointerup', end);
  view.addEventListener('pointercancel', end);
  document.getElementById('fit').addEventListener('click', fit);
  window.addEventListener('resize', fit);
  fit();
})();)js";

constexpr std::string_view kStyle =
    "html,body{margin:0;height:100%;font-family:system-ui,-apple-system,'Segoe "
    "UI',sans-serif;background:#f8fafc;color:#0f172a}"
    "header{display:flex;gap:1rem;align-items:center;height:2.5rem;padding:0 "
    "1rem;border-bottom:1px solid #e2e8f0;background:#fff;box-sizing:border-box}"
    "h1{font-size:1rem;margin:0;flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}"
    "button,a{font:inherit;font-size:.875rem;color:#1d4ed8}"
    "button{background:none;border:1px solid #cbd5e1;border-radius:4px;padding:.1rem .6rem;"
    "cursor:pointer}"
    "#view{position:absolute;top:2.5rem;bottom:0;left:0;right:0;overflow:hidden;cursor:grab;"
    "touch-action:none}"
    "#view.dragging{cursor:grabbing}"
    "#view>svg{position:absolute;left:0;top:0;transform-origin:0 0}";

}  // namespace

std::string SignShareToken(const ShareClaims& claims, std::string_view secret, TimePoint now) {
  return auth::SignJwt({{"aud", kAudience},
                        {"graph", claims.graph_id},
                        {"epoch", claims.epoch},
                        {"iat", UnixSeconds(now)},
                        {"exp", UnixSeconds(now + kShareLife)}},
                       secret);
}

Result<ShareClaims> VerifyShareToken(std::string_view token, std::string_view secret,
                                     TimePoint now) {
  const auto not_found = [] { return Fail(ErrorCode::kNotFound, "no such shared graph"); };
  auto claims = auth::VerifyJwt(token, secret, now);
  if (!claims) return not_found();
  const nlohmann::json& c = *claims;
  if (!c.contains("aud") || c["aud"] != kAudience || !c.contains("graph") ||
      !c["graph"].is_string() || !IsId(c["graph"].get<std::string>()) || !c.contains("epoch") ||
      !c["epoch"].is_number_integer()) {
    return not_found();
  }
  return ShareClaims{.graph_id = c["graph"], .epoch = c["epoch"]};
}

std::string PublicPage(std::string_view name, std::string_view svg, std::string_view svg_href) {
  // Inline SVG in HTML takes the <svg> element alone, without the XML declaration.
  const auto start = svg.find("<svg");
  if (start != std::string_view::npos) svg.remove_prefix(start);
  return fmt::format(
      "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<meta name=\"robots\" content=\"noindex\"><link rel=\"icon\" href=\"data:,\">"
      "<title>{0} — Maestro</title><style>{1}</style></head>\n<body><header><h1>{0}</h1>"
      "<button id=\"fit\" type=\"button\">Fit</button><a href=\"{2}\">SVG</a></header>\n"
      "<div id=\"view\">{3}</div>\n<script>{4}</script>\n</body></html>\n",
      HtmlEscape(name), kStyle, HtmlEscape(svg_href), svg, kScript);
}

const std::string& PublicPagePolicy() {
  static const std::string kPolicy = [] {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(kScript.data()),
                       kScript.size());
    char hash[sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(hash, sizeof hash, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
    // The page's own script (by its hash) and styles; nothing fetched, no forms, no <base>.
    return fmt::format(
        "default-src 'none'; script-src 'sha256-{}'; style-src 'unsafe-inline'; img-src data:; "
        "base-uri 'none'; form-action 'none'",
        hash);
  }();
  return kPolicy;
}

}  // namespace maestro::analytics
