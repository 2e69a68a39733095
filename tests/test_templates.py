"""The Jinja environment and its filters; every count on the built pages agrees with its noun."""

from __future__ import annotations

import re
from pathlib import Path

from samples import make_paper, write_archive

from papermirror.config import SiteConfig
from papermirror.site.contexts import Links
from papermirror.site.templates import grouped, make_environment, plural

ROOT = Path(__file__).resolve().parent.parent
ONE_PLURAL = re.compile(r"\b1 (papers|days|ranges|keywords|upvotes|comments|stars|queries|more appear|older papers are)\b"
                        r"|\b1 day are\b")


def test_plural_agrees_with_the_count():
    assert plural(1, "paper") == "1 paper"
    assert plural(2, "paper") == "2 papers"
    assert plural(0, "paper") == "0 papers"
    assert plural(1, "query", "queries") == "1 query"
    assert plural(3, "query", "queries") == "3 queries"
    assert plural(1, "day is", "days are") == "1 day is"
    assert plural(14, "day is", "days are") == "14 days are"


def test_counts_are_grouped_as_the_site_s_language_reads_them():
    assert plural(9877, "paper") == "9,877 papers" and grouped(1_234_567) == "1,234,567" and grouped(-1000) == "-1,000"
    assert grouped(999) == "999" and grouped(9877, "en-GB") == "9,877" and grouped(None) == "None"  # as before: not a crash
    # elsewhere: no comma or point (a decimal mark in many languages); a narrow no-break space from 10,000 on
    assert grouped(9877, "de") == "9877" and grouped(12345, "fr") == "12\u202f345" and plural(98765, "Papier", language="de") == "98\u202f765 Papiers"
    env = make_environment(ROOT / "layouts", SiteConfig(language="de"), Links("/"), "v1")
    assert env.from_string('{{ n|plural("paper") }}, {{ n|number }}').render(n=123456) == "123\u202f456 papers, 123\u202f456"


def test_plural_is_a_filter_of_the_environment():
    env = make_environment(ROOT / "layouts", SiteConfig(), Links("/"), "v1")
    template = env.from_string('{{ n|plural("paper") }}; {{ n|plural("query", "queries") }}; {{ words|length|plural("word") }}')
    assert template.render(n=1, words=["a"]) == "1 paper; 1 query; 1 word"
    assert template.render(n=7, words=[]) == "7 papers; 7 queries; 0 words"
    assert template.render(n=12345, words=[]) == "12,345 papers; 12,345 queries; 0 words"


def test_a_listing_of_one_paper_says_1_paper(mirror, run_cli):
    write_archive(mirror, [make_paper("2503.00001", "Alone", upvotes=1, comments=1, github_repo="https://github.com/a/b",
                                      github_stars=1, ai_keywords=("lonely",))])
    text = (mirror / "mirror.yml").read_text(encoding="utf-8").replace("refresh_days: 3", "refresh_days: 1")
    (mirror / "mirror.yml").write_text(text + "  query_limit: 1\n", encoding="utf-8")
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    site = mirror / "site"
    home = (site / "index.html").read_text(encoding="utf-8")
    assert '<p class="page-facts">1 paper, newest first' in home and "Ada Lovelace et al. · 14 March 2025 · 1 upvote <small>code</small>" in home
    assert '<meta name="description" content="1 paper of March 2025 in Test mirror">' in (site / "archive/2025-03/index.html").read_text(encoding="utf-8")
    assert "1 upvote · 1 comment" in (site / "papers/2503.00001/index.html").read_text(encoding="utf-8")
    about = (site / "about/index.html").read_text(encoding="utf-8")
    assert "at most 1 paper each" in about and "The latest 1 day is fetched again" in about
    keywords = (site / "keywords/index.html").read_text(encoding="utf-8")
    assert "0 keywords shared by at least 2 papers; 1 more appears on a single paper and is listed on its page" in keywords
    for page in sorted(site.rglob("*.html")):
        found = ONE_PLURAL.search(page.read_text(encoding="utf-8"))
        assert not found, f"{page.relative_to(site)}: {found.group(0)!r}"
