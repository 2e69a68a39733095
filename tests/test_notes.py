"""The owner's Markdown notes: rendered, sanitised, http(s) links only, headings below the page's own."""

from __future__ import annotations

from samples import HOSTILE, write_archive

from papermirror.site.notes import render_notes


def test_notes_are_sanitised_markdown(mirror, run_cli):
    write_archive(mirror, HOSTILE)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = (mirror / "site/papers/2503.01234/index.html").read_text(encoding="utf-8")
    assert "<h3>Mine</h3>" in html
    assert "alert(2)" not in html and "javascript:" not in html
    assert '<a href="https://example.com/ok" rel="nofollow noopener noreferrer">good</a>' in html


def test_render_notes_keeps_markdown_and_drops_what_is_unsafe():
    html = str(render_notes("# Top\n\n**bold** <img src=x onerror=alert(1)> [x](data:text/html,hi) [y](http://e.org/)\n\n"
                            "| a | b |\n|---|---|\n| 1 | 2 |"))
    assert "<h3>Top</h3>" in html and "<strong>bold</strong>" in html
    assert "<img" not in html and "onerror" not in html and "data:" not in html
    assert '<a href="http://e.org/" rel="nofollow noopener noreferrer">y</a>' in html
    assert "<table>" in html and "<td>2</td>" in html
    assert str(render_notes("  \n")) == ""


def test_a_link_whose_address_is_dropped_keeps_its_words_without_the_element():
    """HTML allows rel only beside an href: a dropped address (javascript:, relative, <a name>) leaves plain words."""
    html = str(render_notes('[bad](javascript:alert(3)) [rel](/repo/about/ "A > B") <a name="x">anchor</a> '
                            '[ok](https://e.org/?a=1&b=2 "quote \\" and > here")'))
    assert "<a" not in html.replace('<a href="https://e.org/', "")
    assert ">bad<" not in html and "bad rel anchor" in html
    assert '<a href="https://e.org/?a=1&amp;b=2" title="quote \\&quot; and &gt; here" rel="nofollow noopener noreferrer">ok</a>' in html


def test_the_notes_top_heading_is_the_one_below_the_notes_heading():
    assert str(render_notes("## Sub\n\n#### Deeper")) == "<h3>Sub</h3>\n<h5>Deeper</h5>"
    assert str(render_notes("# Top\n\n## Sub")) == "<h3>Top</h3>\n<h4>Sub</h4>"
    assert str(render_notes("###### Six\n\n# One")) == "<h6>Six</h6>\n<h3>One</h3>"
