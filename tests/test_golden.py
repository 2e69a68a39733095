"""The whole site of a small example mirror, compared file by file with a committed expected/ tree.

The determinism test builds twice and compares the builds with each other, so both could be wrong;
this one compares with pages a reviewer has read. After an intended change to what the pages show,
run `python tests/examples/regenerate.py` and review `git diff tests/examples/expected`.
"""

from __future__ import annotations

from golden import (
    EXPECTED,
    REGENERATE,
    ROOT,
    build_example,
    describe_difference,
    site_files,
)


def test_example_site_matches_the_expected_tree(tmp_path):
    built = site_files(build_example(tmp_path), unpack=True)
    expected = site_files(EXPECTED, unpack=True)
    assert expected, f"{EXPECTED} is empty; run {REGENERATE}"
    missing, extra = sorted(set(expected) - set(built)), sorted(set(built) - set(expected))
    assert not missing and not extra, f"files missing: {missing}; files not expected: {extra}; if intended, run {REGENERATE}"
    changed = [name for name in expected if expected[name] != built[name]]
    assert not changed, (f"{len(changed)} file(s) differ, e.g.:\n{describe_difference(changed[0], expected[changed[0]], built[changed[0]])}"
                         f"\nif intended, run {REGENERATE} and review the diff")


def test_static_files_are_copied_byte_for_byte(tmp_path):
    site = build_example(tmp_path)
    layouts = ROOT / "layouts" / "static"
    sources = sorted(p.relative_to(layouts).as_posix() for p in layouts.rglob("*") if p.is_file())
    assert sources
    for name in sources:
        assert (site / "static" / name).read_bytes() == (layouts / name).read_bytes(), name


def test_expected_tree_covers_every_kind_of_page():
    names = set(site_files(EXPECTED))
    for required in ("index.html", "page/2/index.html", "papers/2503.01234/index.html", "papers/hep-th/9901001/index.html",
                     "archive/index.html", "archive/2025-03/index.html", "archive/2025-03-14/index.html",
                     "keywords/index.html", "about/index.html", "search/index.html", "404.html",
                     "feed.xml", "papers.json", "sitemap.xml", "robots.txt"):
        assert required in names, required
    assert any(name.startswith("keywords/masked-image-modeling/") for name in names)
