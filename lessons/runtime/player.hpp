#pragma once
// A step-through player for a page: Previous / Next buttons, the arrow keys and a slider move
// through a list of steps, each an image (a diagram file in the lesson's folder) with its text
// beside it. Plain inline HTML, CSS and JavaScript: it works from file://, offline, with no
// outside resources. Without JavaScript the page still shows step 1 and lists every step's
// text (a <noscript> block).
//
//   report.html(step_player_html("backward", steps), "(player: step through backward)");
//
// The elements have stable ids for tests: <id>-prev, <id>-next, <id>-slider, <id>-counter,
// <id>-image, <id>-title, <id>-node, <id>-grad, <id>-text. The player also sets
// data-step (0-based) on the element <id>.

#include <string>
#include <string_view>
#include <vector>

namespace gradflow::lessons {

struct PlayerStep {
  std::string image;     // file name relative to index.html, e.g. "step_03.svg"
  std::string alt;       // the image's alt text
  std::string title;     // "Step 4 of 11: visit sigmoid"
  std::string node;      // the node highlighted in this step
  std::string gradient;  // the gradient shown for it (dL/dy at the visit)
  std::string text;      // what happens in this step (preformatted, several lines)
};

// The player's HTML. `id` must be a simple identifier (letters, digits, '-', '_'); throws
// std::invalid_argument for another id or an empty step list.
std::string step_player_html(std::string_view id, const std::vector<PlayerStep>& steps);

}  // namespace gradflow::lessons
