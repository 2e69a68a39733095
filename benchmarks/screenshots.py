#!/usr/bin/env python3
"""Screenshots of each kind of page of the shipped archive, light and dark, 1280 and 390 px wide, into docs/screenshots/.

    python benchmarks/screenshots.py                   # every kind of page, both themes, both widths
    python benchmarks/screenshots.py --out /tmp/shots --page paper

Builds content/ with layouts/ into a temp folder, serves it on loopback (benchmarks/lighthouse.py) and saves the
first screen of each page in headless Chromium: 1280 x 800 (a laptop) and 390 x 844 (a phone), as
`<kind>-<width>-<theme>.png`: every kind of page at 1280 px in the light theme and at 390 px in the dark one,
and the home page in the other two as well (--all: every kind in all four, about 1.5 MB). Only the first screen, not the whole page, and
reduced to a palette of 32 colours when Pillow is installed (pip install pillow; else as Chromium saves them, about
three times bigger), so the folder stays small enough to commit. Also prints what the look promises, measured: how
many papers the home page shows in its first two screens at 1280 px, and whether a paper page shows its title,
authors and links without scrolling on a phone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from browser import chromium  # noqa: E402

from benchmarks.lighthouse import kinds_of_page, shipped_site  # noqa: E402

SCREENS = {"1280": {"width": 1280, "height": 800}, "390": {"width": 390, "height": 844}}
THEMES = ("light", "dark")
SHOTS = {("1280", "light"): None, ("390", "dark"): None, ("1280", "dark"): ("home",), ("390", "light"): ("home",)}
"""(width, theme): the kinds of page shot that way (None: every kind); --all shoots every kind every way."""
COLOURS = 32
OUT = REPO / "docs" / "screenshots"


def shrink(path: Path) -> None:
    """Reduce a screenshot to a palette of COLOURS colours (text and flat colours survive), if Pillow is installed."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def papers_in_first_screens(page, screens: int = 2) -> int:
    """How many listing entries start within the first `screens` viewport heights of the page."""
    return page.evaluate("""screens => {
        const bottom = window.innerHeight * screens;
        const items = [...document.querySelectorAll('.items > li')];
        for (const li of items) li.style.contentVisibility = 'visible';  // real heights, not the placeholders
        return items.filter(li => li.getBoundingClientRect().top + window.scrollY < bottom).length;
    }""", screens)


def below_the_fold(page, selectors: list[str]) -> list[str]:
    """Those of `selectors` whose element is missing or ends below the first screen."""
    return page.evaluate("""selectors => selectors.filter(s => {
        const e = document.querySelector(s);
        return !e || e.getBoundingClientRect().bottom > window.innerHeight;
    })""", selectors)


def shoot(browser, url: str, pages: dict[str, str], out: Path, every_way: bool) -> list[Path]:
    """Save the first screen of each page in each width and theme of SHOTS (all four with `every_way`); return the files."""
    written = []
    for (name, theme), kinds in SHOTS.items():
        kinds = None if every_way else kinds
        context = browser.new_context(viewport=SCREENS[name], color_scheme=theme)
        page = context.new_page()
        for kind, path in pages.items():
            if kinds is not None and kind not in kinds:
                continue
            page.goto(url + path)
            if kind == "search":
                page.locator(".search-result").first.wait_for()
                page.wait_for_load_state("networkidle")
            target = out / f"{kind.replace(' ', '')}-{name}-{theme}.png"
            page.screenshot(path=str(target))
            shrink(target)
            written.append(target)
        context.close()
    return written


def write_index(out: Path, written: list[Path], kinds: list[str]) -> None:
    """Write out/README.md: every screenshot in `out` (those of an earlier run too, when this one made some kinds
    only: --page), in the order a whole run makes them, so that a reviewer sees them on GitHub."""
    lines = ["# How it looks", "", "The first screen of each kind of page of the shipped archive, made by "
             "`python benchmarks/screenshots.py` (1280 x 800 and 390 x 844 px, light and dark theme).", ""]
    shots = [f"-{name}-{theme}" for name, theme in SHOTS]
    names = [kind.replace(" ", "") for kind in kinds]

    def place(path: Path) -> tuple[int, int, str]:
        kind, width, theme = path.stem.rsplit("-", 2)
        way = f"-{width}-{theme}"
        return (shots.index(way) if way in shots else len(shots), names.index(kind) if kind in names else len(names),
                path.name)

    for path in sorted({*written, *out.glob("*.png")}, key=place):
        kind, width, theme = path.stem.rsplit("-", 2)
        lines += [f"## {kind}, {width} px, {theme}", "", f"![{kind}, {width} px wide, {theme} theme]({path.name})", ""]
    (out / "README.md").write_text("\n".join(lines), encoding="utf-8")


def measure(browser, url: str, pages: dict[str, str]) -> None:
    """Print the density of the home page at 1280 px and what a paper page shows on a phone's first screen."""
    context = browser.new_context(viewport=SCREENS["1280"])
    page = context.new_page()
    page.goto(url)
    print(f"home at 1280 x 800: {papers_in_first_screens(page)} papers start in the first two screens (1600 px)")
    context.close()
    context = browser.new_context(viewport=SCREENS["390"], is_mobile=True, device_scale_factor=3)
    page = context.new_page()
    page.goto(url + pages["paper"])
    missing = below_the_fold(page, ["h1", ".authors", ".paper-links a[href*='arxiv.org/abs']",
                                    ".paper-links a[href*='arxiv.org/pdf']", ".paper-links a[href*='github.com']"])
    print(f"paper at 390 x 844: title, authors, arXiv, PDF and code links above the fold: {'yes' if not missing else 'no, ' + ', '.join(missing)}")
    context.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help=f"where the PNGs go (default: {OUT.relative_to(REPO)})")
    parser.add_argument("--page", action="append", help="a kind of page (default: all): home, paper, month, ...")
    parser.add_argument("--all", action="store_true", help="every kind of page in both widths and both themes")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with shipped_site() as (url, site), chromium() as browser:
        every_kind = kinds_of_page(site)
        pages = {k: v for k, v in every_kind.items() if not args.page or k in args.page}
        measure(browser, url, every_kind)
        written = shoot(browser, url, pages, args.out, args.all)
    write_index(args.out, written, list(every_kind))
    total = sum(path.stat().st_size for path in written)
    print(f"{len(written)} screenshots, {total / 1e3:.0f} KB, in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
