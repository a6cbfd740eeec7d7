#!/usr/bin/python3
"""Real-browser test of lesson 02's step-through player (CTest label `browser`).

Runs lesson02_backward into a fresh folder, opens its index.html from file:// in Debian's
headless Chromium through Debian's /usr/bin/chromedriver (nothing is downloaded), presses Next
through every step and checks, at each step, that
  * the counter, the node name and the gradient the page shows are those of summary.json's step;
  * the diagram shown is that step's file, and in it the node drawn with the red "visiting"
    outline is summary.json's node, labelled with summary.json's gradient;
then that Next stops at the last step, Previous and the arrow keys move back, the slider jumps,
and that the browser console logged no error.

usage: browser_lesson02_player.py LESSON02_BINARY WORK_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
except ImportError as e:
    sys.exit(f"error: {e}: this test needs Debian's python3-selenium, chromium and chromium-driver "
             "(scripts/run-tests.sh installs them)")

SVG = "{http://www.w3.org/2000/svg}"
HIGHLIGHT = "#d62728"  # autodiff/viz/backward_dot.cpp: the visited node's outline
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def highlighted_nodes(svg_path):
    """The text lines of every node drawn with the highlight outline."""
    root = ET.parse(svg_path).getroot()
    found = []
    for g in root.iter(SVG + "g"):
        title = g.find(SVG + "title")
        if g.get("class") != "node" or (title is not None and title.text == "legend"):
            continue
        shapes = [e for e in g.iter() if e.tag in (SVG + "path", SVG + "polygon", SVG + "ellipse")]
        if any(e.get("stroke") == HIGHLIGHT for e in shapes):
            found.append([t.text or "" for t in g.iter(SVG + "text")])
    return found


def close(a, b):
    return abs(a - b) <= 1e-4 * max(1.0, abs(b))


def main():
    binary, work = sys.argv[1], sys.argv[2]
    out = os.path.join(work, "lesson02_backward")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    run = subprocess.run([binary, "--out", out], capture_output=True, text=True, timeout=120)
    check(run.returncode == 0, f"lesson02_backward exited {run.returncode}: {run.stderr}")
    with open(os.path.join(out, "summary.json")) as f:
        steps = json.load(f)["steps"]
    check(len(steps) >= 5, f"summary.json lists only {len(steps)} steps")

    options = webdriver.ChromeOptions()
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", f"--user-data-dir={os.path.join(work, 'profile')}", "--window-size=1400,1200"):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get("file://" + os.path.abspath(os.path.join(out, "index.html")))
        el = lambda name: driver.find_element(By.ID, "backward-" + name)

        def shown_step():
            return int(driver.find_element(By.ID, "backward").get_attribute("data-step"))

        def check_step(i, how):
            s = steps[i]
            check(shown_step() == i, f"{how}: player is at step {shown_step()}, expected {i}")
            check(el("counter").text == f"Step {i + 1} of {len(steps)}", f"{how}: counter says {el('counter').text!r}")
            check(el("node").text == s["node"], f"{how}: page shows node {el('node').text!r}, summary says {s['node']!r}")
            try:
                grad = float(el("grad").text)
            except ValueError:
                grad = float("nan")
            check(close(grad, s["dy"]), f"{how}: page shows gradient {el('grad').text!r}, summary says {s['dy']}")
            src = el("image").get_attribute("src")
            check(src.endswith("/" + s["diagram"]), f"{how}: image is {src}, expected {s['diagram']}")
            marked = highlighted_nodes(os.path.join(out, s["diagram"]))
            check(len(marked) == 1, f"{how}: {len(marked)} highlighted nodes in {s['diagram']}")
            if len(marked) == 1:
                lines = marked[0]
                check(lines[0] == s["node"], f"{how}: diagram highlights {lines[0]!r}, summary says {s['node']!r}")
                values = [float(m) for l in lines for m in re.findall(r"^dL/d\S+ = (\S+)$", l)]
                check(len(values) == 1 and close(values[0], s["dy"]),
                      f"{how}: diagram's gradient label {lines} does not show {s['dy']}")

        check_step(0, "on load")
        for i in range(1, len(steps)):
            el("next").click()
            check_step(i, f"after Next #{i}")
        check(not el("next").is_enabled(), "Next is still enabled at the last step")
        el("next").click() if el("next").is_enabled() else None
        check(shown_step() == len(steps) - 1, "Next moved past the last step")
        el("prev").click()
        check_step(len(steps) - 2, "after Previous")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_LEFT)
        check_step(len(steps) - 3, "after the left arrow key")
        driver.find_element(By.TAG_NAME, "body").send_keys(Keys.ARROW_RIGHT)
        check_step(len(steps) - 2, "after the right arrow key")
        driver.execute_script(
            "var s = document.getElementById('backward-slider'); s.value = '2';"
            "s.dispatchEvent(new Event('input', {bubbles: true}));")
        check_step(2, "after moving the slider to 2")

        errors = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        check(not errors, f"browser console errors: {errors}")
    finally:
        driver.quit()
    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print(f"player OK: {len(steps)} steps checked in Chromium")
    return 0


if __name__ == "__main__":
    sys.exit(main())
