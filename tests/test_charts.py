"""SVG charts drawn as strings (site/charts.py): well-formed, named, escaped, the same on every run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from papermirror.site import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """Parse a chart as XML (fails on anything not well-formed) and check its accessible name."""
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg" and root.get("role") == "img"
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    return root


def test_numbers_are_written_the_same_way_everywhere():
    assert [charts.number(v) for v in (0, 2.0, 2.25, 2.26, -0.01, 1234.5, 1e-9)] == ["0", "2", "2.2", "2.3", "0", "1234.5", "0"]


def test_nice_axis_tops():
    assert charts.nice_top(0) == (1.0, 1.0)
    assert charts.nice_top(7) == (8, 2)
    assert charts.nice_top(631) == (800, 200)
    assert charts.nice_top(100) == (100, 25)
    assert charts.nice_top(10) == (10, 5) and charts.nice_top(9) == (10, 5)  # no tick at 2.5 papers (was (10, 2.5))
    assert [charts.number(v) for v in charts.nice_top(0.3)] == ["0.3", "0.1"]


def test_column_chart_is_well_formed_with_a_bar_per_value():
    svg = charts.column_chart("c", "Papers per month", "Bars.", [3, 0, 12], ["2025", "", "Mar"], ["Jan", "Feb", "Mar"])
    root = parse(svg)
    bars = root.findall(f"{SVG}rect[@class='bar']")
    assert len(bars) == 3
    assert [bar.find(SVG + "title").text for bar in bars] == ["Jan: 3", "Feb: 0", "Mar: 12"]
    assert float(bars[2].get("height")) > float(bars[0].get("height")) > float(bars[1].get("height")) == 0
    assert svg == charts.column_chart("c", "Papers per month", "Bars.", [3, 0, 12], ["2025", "", "Mar"], ["Jan", "Feb", "Mar"])


def test_labels_and_titles_are_escaped():
    hostile = '<script>alert("x")</script> & co'
    svg = charts.column_chart("h", hostile, hostile, [1], [hostile], [hostile])
    assert "<script>" not in svg
    root = parse(svg)
    assert root.find(SVG + "title").text == hostile
    assert root.find(f"{SVG}rect/{SVG}title").text == f"{hostile}: 1"
    bars = charts.paired_bars("p", "Rising", "Pairs.", [(hostile, 1.5, 3.25)], ("before <b>", "now"), unit="%")
    texts = [t.text for t in parse(bars).iter(SVG + "text")]
    assert hostile in texts and "before <b>" in texts and "1.5%" in texts and "3.2%" in texts
    # a keyword from the hub with control characters: the SVG, written into the page as it is, drops them
    keyword = "evil\u202ekw\x1b[2J\x9b31m\x7f"
    svg = charts.paired_bars("k", "Rising", "Pairs.", [(keyword, 1, 2)], ("before", "now"))
    assert "evilkw[2J31m" in [t.text for t in parse(svg).iter(SVG + "text")]
    assert not any(char in svg for char in "\u202e\x1b\x9b\x7f")
    assert "\u202e" not in charts.column_chart("c", keyword, keyword, [1], [keyword], [keyword])


def test_line_chart_breaks_at_missing_values_and_has_a_dot_per_value():
    root = parse(charts.line_chart("l", "Upvotes", "Line.", [1, 2, None, 4, 5], [""] * 5, list("abcde"), top=100))
    lines = root.findall(f"{SVG}polyline")
    assert [len(line.get("points").split()) for line in lines] == [2, 2]
    assert len(root.findall(f"{SVG}circle")) == 4
    assert root.findall(f"{SVG}text")[-1].text == "100"  # the axis reaches the given top


def test_overlapping_axis_labels_are_left_out():
    labels = [str(2000 + n) for n in range(200)]
    texts = [t.text for t in parse(charts.column_chart("x", "t", "d", [1] * 200, labels, labels)).iter(SVG + "text")]
    years = [t for t in texts if t.startswith("2")]
    assert 3 < len(years) < 30 and years[0] == "2000"


def test_sparkline_and_empty_charts_are_well_formed():
    root = parse(charts.sparkline("s", "Papers per month", "3 papers.", [0, 1, 2, 0]))
    assert root.get("class") == "sparkline" and len(root.findall(f"{SVG}polyline")) == 1
    parse(charts.sparkline("s", "t", "d", [4]))
    parse(charts.column_chart("e", "t", "d", [], [], []))
    parse(charts.line_chart("e", "t", "d", [None, None], ["", ""], ["a", "b"]))
    parse(charts.paired_bars("e", "t", "d", [], ("a", "b")))
