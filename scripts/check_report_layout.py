"""Check a rendered report.html in headless Chromium: nothing clipped, nothing overlapping.

    python scripts/check_report_layout.py results/quickstart/report.html --screenshots /tmp/shots

opens the page at 1280 px wide, measures every table, cell, image and text block with the
browser's own layout (a script injected into a copy of the page writes the measurements, read
back with ``--dump-dom``), prints each fault on one line and exits 1 if there is any, 0 if none.
Faults: a page wider than the window; a table or cell whose content is cut (it scrolls or
overflows its box); an image, caption or text block past the body's right edge; an image shown
at less than 60% of its natural width (its text would be unreadably small); two consecutive
blocks that overlap. With ``--screenshots DIR`` it also saves the whole page as PNG tiles of
1280 x 1400 px (page-01.png, ...) to look at.

Without Chromium (``chromium``, ``chromium-browser``, ``google-chrome`` or $CHROMIUM) it prints
``skipped: ...`` and exits 0. On Debian: ``apt-get install -y chromium``.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

WIDTH = 1280
TILE_HEIGHT = 1400
MIN_IMAGE_SCALE = 0.6
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
MARK = "layout-check-result"

MEASURE_JS = """
<script>
window.addEventListener("load", () => {
  const faults = [], images = [];
  const vw = document.documentElement.clientWidth;
  const body = document.body, bs = getComputedStyle(body), br = body.getBoundingClientRect();
  const right = br.right - parseFloat(bs.paddingRight) + 1;
  const where = (e) => {  // the element's kind and the heading above it, to name it in a fault
    let h = e, tag = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "");
    while (h && !/^H[1-3]$/.test(h.tagName)) h = h.previousElementSibling || h.parentElement;
    return tag + (h ? ' under "' + h.textContent.trim().slice(0, 60) + '"' : "");
  };
  const pageWidth = document.documentElement.scrollWidth;
  if (pageWidth > vw + 1) faults.push(`page is ${pageWidth}px wide in a ${vw}px window (it scrolls sideways)`);
  document.querySelectorAll("table").forEach((t) => {
    if (t.scrollWidth > t.clientWidth + 1)
      faults.push(`${where(t)}: cut, ${t.scrollWidth}px of content in a ${t.clientWidth}px box`);
    if (t.getBoundingClientRect().right > right)
      faults.push(`${where(t)}: reaches ${Math.round(t.getBoundingClientRect().right)}px, past the body's right edge`);
  });
  document.querySelectorAll("td, th").forEach((c) => {
    if (c.scrollWidth > c.clientWidth + 1)
      faults.push(`${where(c.closest("table"))}: cell "${c.textContent.trim().slice(0, 40)}" is cut`);
  });
  document.querySelectorAll("img").forEach((im) => {
    const r = im.getBoundingClientRect(), scale = r.width / im.naturalWidth;
    images.push({alt: im.alt, natural: im.naturalWidth, shown: Math.round(r.width), scale: +scale.toFixed(3)});
    if (r.right > right) faults.push(`${where(im)}: image "${im.alt}" reaches past the body's right edge`);
    if (scale < %(min_scale)s)
      faults.push(`${where(im)}: image "${im.alt}" shown at ${Math.round(100 * scale)}%% of its width`);
  });
  document.querySelectorAll("h1, h2, h3, p, li, figcaption, pre").forEach((e) => {
    if (e.getBoundingClientRect().right > right || e.scrollWidth > e.clientWidth + 1)
      faults.push(`${where(e)}: text runs past its box ("${e.textContent.trim().slice(0, 40)}")`);
  });
  const blocks = [...body.children, ...document.querySelectorAll("figure > *")]
    .filter((e) => e.tagName !== "SCRIPT" && e.id !== "%(mark)s");
  for (let i = 1; i < blocks.length; i++) {
    const a = blocks[i - 1].getBoundingClientRect(), b = blocks[i].getBoundingClientRect();
    if (blocks[i].parentElement === blocks[i - 1].parentElement && a.bottom > b.top + 1 && a.height && b.height
        && a.left < b.right && b.left < a.right)
      faults.push(`${where(blocks[i - 1])} overlaps ${where(blocks[i])}`);
  }
  const out = document.createElement("pre");
  out.id = "%(mark)s";
  out.textContent = JSON.stringify({viewport: vw, height: document.documentElement.scrollHeight,
                                    faults, images});
  body.appendChild(out);
});
</script>
""" % {"min_scale": MIN_IMAGE_SCALE, "mark": MARK}


def find_browser() -> str | None:
    """The Chromium executable: $CHROMIUM, else the first of BROWSERS on PATH; None if none."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    return next((path for path in map(shutil.which, BROWSERS) if path), None)


def _chromium(browser: str, *args: str, timeout: float = 120) -> str:
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
               "--virtual-time-budget=10000", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode:
        raise RuntimeError(f"{Path(browser).name} exited {done.returncode}: {done.stderr.strip()[-300:]}")
    return done.stdout


def measure(page: Path, browser: str) -> dict:
    """The page's measurements at 1280 px: {'viewport', 'height', 'faults': [...], 'images': [...]}."""
    text = page.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(text.replace("</body>", MEASURE_JS + "</body>"), encoding="utf-8")
        dom = _chromium(browser, f"--window-size={WIDTH},1000", "--dump-dom", probe.as_uri())
    found = re.search(f'<pre id="{MARK}">(.*?)</pre>', dom, re.S)
    if not found:
        raise RuntimeError("the measuring script did not run (no result in the page)")
    return json.loads(html.unescape(found.group(1)))


def screenshots(page: Path, browser: str, height: int, out_dir: Path) -> list[Path]:
    """The whole page at 1280 px wide, cut into tiles of 1280 x 1400 px; returns their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    full = out_dir / "page.png"
    _chromium(browser, f"--window-size={WIDTH},{height}", f"--screenshot={full}", page.resolve().as_uri())
    try:
        from PIL import Image
    except ImportError:  # no Pillow: the one full-page image
        return [full]
    tiles = []
    with Image.open(full) as image:
        for i, top in enumerate(range(0, image.height, TILE_HEIGHT)):
            tile = out_dir / f"page-{i + 1:02d}.png"
            image.crop((0, top, image.width, min(image.height, top + TILE_HEIGHT))).save(tile)
            tiles.append(tile)
    full.unlink()
    return tiles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("report", type=Path, help="a report.html")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="also save the page as PNG tiles here")
    args = parser.parse_args(argv)
    browser = find_browser()
    if browser is None:
        print("skipped: no Chromium found (install it, e.g. apt-get install -y chromium, or set $CHROMIUM)")
        return 0
    if not args.report.is_file():
        print(f"error: {args.report} is not a file", file=sys.stderr)
        return 2
    result = measure(args.report, browser)
    if args.screenshots:
        tiles = screenshots(args.report, browser, result["height"], args.screenshots)
        print(f"screenshots: {len(tiles)} tiles of {WIDTH} px in {args.screenshots}")
    shrunk = min((im["scale"] for im in result["images"]), default=1.0)
    print(f"{args.report}: {WIDTH} px wide, {result['height']} px tall, {len(result['images'])} images "
          f"(smallest shown at {100 * shrunk:.0f}% of its width)")
    for fault in result["faults"]:
        print(f"fault: {fault}")
    print(f"{len(result['faults'])} faults")
    return 1 if result["faults"] else 0


if __name__ == "__main__":
    sys.exit(main())
