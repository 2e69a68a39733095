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
