#include "lessons/runtime/player.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "lessons/runtime/html_page.hpp"

namespace gradflow::lessons {

namespace {

// JSON inside <script>: "</" would end the script element early, so it is written "<\/".
std::string script_safe_json(const nlohmann::json& j) {
  std::string s = j.dump();
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    out += s[i];
    if (s[i] == '<' && i + 1 < s.size() && s[i + 1] == '/') out += '\\';
  }
  return out;
}

// The script, with ID standing for the player's id. It only reads its own JSON block and
// writes text through textContent, so step texts can never inject markup.
constexpr std::string_view kScript = R"JS(
(function () {
  var root = document.getElementById('ID');
  var steps = JSON.parse(document.getElementById('ID-data').textContent);
  var el = function (name) { return document.getElementById('ID-' + name); };
  var slider = el('slider'), prev = el('prev'), next = el('next');
  var current = 0;
  function show(i) {
    current = Math.max(0, Math.min(steps.length - 1, i));
    var s = steps[current];
    el('image').src = s.image;
    el('image').alt = s.alt;
    el('title').textContent = s.title;
    el('node').textContent = s.node;
    el('grad').textContent = s.gradient;
    el('text').textContent = s.text;
    el('counter').textContent = 'Step ' + (current + 1) + ' of ' + steps.length;
    slider.value = String(current);
    prev.disabled = current === 0;
    next.disabled = current === steps.length - 1;
    root.setAttribute('data-step', String(current));
  }
  prev.addEventListener('click', function () { show(current - 1); });
  next.addEventListener('click', function () { show(current + 1); });
  slider.addEventListener('input', function () { show(parseInt(slider.value, 10)); });
  document.addEventListener('keydown', function (e) {
    if (e.target === slider || e.altKey || e.ctrlKey || e.metaKey) return;  // the slider moves itself
    if (e.key === 'ArrowRight') { show(current + 1); e.preventDefault(); }
    if (e.key === 'ArrowLeft') { show(current - 1); e.preventDefault(); }
  });
  root.classList.add('gf-player-live');
  show(0);
})();
)JS";

constexpr std::string_view kStyle = R"CSS(
.gf-player { border: 1px solid #ccc; border-radius: 6px; padding: 0.8em; margin: 1em 0; }
.gf-player-controls { display: flex; align-items: center; gap: 0.6em; flex-wrap: wrap; margin-bottom: 0.6em; }
.gf-player-controls input[type=range] { flex: 1 1 12em; }
.gf-player-controls button { font-size: 1em; padding: 0.3em 0.9em; }
.gf-player-body { display: flex; gap: 1em; flex-wrap: wrap; align-items: flex-start; }
.gf-player-body img { flex: 1 1 420px; max-width: 100%; min-width: 0; height: auto; border: 1px solid #eee; }
.gf-player-text { flex: 1 1 300px; min-width: 0; }
.gf-player-text pre { white-space: pre-wrap; background: #f7f7f7; padding: 0.6em; font-size: 0.9em; }
)CSS";

}  // namespace

std::string step_player_html(std::string_view id, const std::vector<PlayerStep>& steps) {
  const bool id_ok = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
  if (!id_ok) throw std::invalid_argument(fmt::format("step player: id '{}' must be letters, digits, - or _", id));
  if (steps.empty()) throw std::invalid_argument(fmt::format("step player '{}': no steps to show", id));

  nlohmann::json data = nlohmann::json::array();
  for (const PlayerStep& s : steps) {
    data.push_back({{"image", s.image},
                    {"alt", s.alt},
                    {"title", s.title},
                    {"node", s.node},
                    {"gradient", s.gradient},
                    {"text", s.text}});
  }
  const PlayerStep& first = steps.front();
  const std::string i(id);
  std::string html = fmt::format("<style>{}</style>\n", kStyle);
  html += fmt::format("<div class=\"gf-player\" id=\"{}\" data-step=\"0\">\n", i);
  html += fmt::format(
      "<div class=\"gf-player-controls\">\n"
      "<button type=\"button\" id=\"{0}-prev\" disabled>&#9664; Previous</button>\n"
      "<input type=\"range\" id=\"{0}-slider\" min=\"0\" max=\"{1}\" value=\"0\" step=\"1\" aria-label=\"step\">\n"
      "<button type=\"button\" id=\"{0}-next\">Next &#9654;</button>\n"
      "<span id=\"{0}-counter\">Step 1 of {2}</span>\n"
      "</div>\n",
      i, steps.size() - 1, steps.size());
  html += fmt::format(
      "<div class=\"gf-player-body\">\n<img id=\"{0}-image\" src=\"{1}\" alt=\"{2}\">\n"
      "<div class=\"gf-player-text\">\n<h3 id=\"{0}-title\">{3}</h3>\n"
      "<p>Visiting <code id=\"{0}-node\">{4}</code>, its gradient dL/dy = <code id=\"{0}-grad\">{5}</code></p>\n"
      "<pre id=\"{0}-text\">{6}</pre>\n</div>\n</div>\n",
      i, html_escape(first.image), html_escape(first.alt), html_escape(first.title), html_escape(first.node),
      html_escape(first.gradient), html_escape(first.text));
  html += "<p class=\"gf-player-help\">Use the buttons, the slider or the left and right arrow keys.</p>\n</div>\n";
  html +=
      "<noscript><p>JavaScript is off: the player shows step 1 only. Every step's diagram is the file "
      "<code>step_NN.svg</code> in this folder; the steps' texts follow.</p><ol>";
  for (const PlayerStep& s : steps) html += fmt::format("<li><pre>{}</pre></li>", html_escape(s.text));
  html += "</ol></noscript>\n";
  html += fmt::format("<script type=\"application/json\" id=\"{}-data\">{}</script>\n", i, script_safe_json(data));
  std::string script(kScript);
  for (std::size_t pos = 0; (pos = script.find("ID", pos)) != std::string::npos; pos += i.size()) {
    script.replace(pos, 2, i);
  }
  html += "<script>" + script + "</script>\n";
  return html;
}

}  // namespace gradflow::lessons
