"""The about page and the "updated" footer: topic, sources and coverage, the same figures as `status`."""

from __future__ import annotations

import re

from samples import HOSTILE, make_paper, parse, write_archive

from papermirror.config import load_config
from papermirror.content.coverage import parse_utc
from papermirror.content.ledger import Ledger, read_ledger, write_ledger
from papermirror.ops.status import collect_status

HOSTILE_QUERY = "<script>alert(1)</script> & masks"


def test_about_page_shows_topic_sources_and_status_figures(shipped, run_cli):
    ledger = read_ledger(shipped / "content")
    ledger.record_query("a search no longer in mirror.yml", 120, 7, "2026-08-20T08:00:00Z")
    write_ledger(shipped / "content", ledger)
    assert run_cli("build", "--no-index", "--base-url", "http://127.0.0.1/mirror", config=shipped / "mirror.yml")[0] == 0
    html = (shipped / "site/about/index.html").read_text(encoding="utf-8")
    updated = re.search(r'Updated <time datetime="([^"]+)">', html).group(1)
    status = collect_status(load_config(shipped / "mirror.yml"), now=parse_utc(updated))
    assert f"<dt>Papers</dt><dd>{status.papers}</dd>" in html
    assert f"{status.days_expected} days</dd>" in html
    assert f"<dd>{status.days_with_papers} with papers, {len(status.days_empty)} empty" in html
    assert f"<dd>{status.days_missing} in {len(status.missing_ranges)} range" in html
    assert f'datetime="{status.last_snapshot}"' in html
    for query in status.queries:
        figures = f"{query.listed} listed, {query.kept} kept" if query.last_changed else "never fetched"
        assert f"<q>{query.query}</q>: {figures}" in html
    assert [query.query for query in status.queries if not query.in_config] == ["a search no longer in mirror.yml"]
    assert "<q>a search no longer in mirror.yml</q>: 120 listed, 7 kept" in html
    assert "huggingface.co/papers" in html and "arxiv.org" in html and "Host a mirror of your own topic" in html
    assert all(link.startswith(("/mirror/", "https://", "http://127.0.0.1/mirror/", "#")) for link in parse(shipped / "site/about/index.html").links)
    # linked from every page's footer; the time only on the pages that sum up the site
    paper = (shipped / "site/papers/2512.16922/index.html").read_text(encoding="utf-8")
    assert '<a href="/mirror/about/">About this mirror</a>' in paper and "· updated" not in paper
    for summary in ("index.html", "archive/index.html", "keywords/index.html", "404.html", "search/index.html"):
        assert f'updated <time datetime="{updated}">' in (shipped / "site" / summary).read_text(encoding="utf-8")


def test_updated_is_the_newest_of_ledger_and_papers(mirror, run_cli):
    write_archive(mirror, HOSTILE)  # newest paper time: 2025-03-15T08:00:00Z
    ledger = Ledger()
    ledger.record_day("2025-03-14", 26, 4, "2025-03-20T06:23:00Z")
    ledger.record_query("masked autoencoder", 40, 12, "2025-03-19T06:23:00Z")
    write_ledger(mirror / "content", ledger)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = (mirror / "site/about/index.html").read_text(encoding="utf-8")
    assert 'updated <time datetime="2025-03-20T06:23:00Z">20 March 2025, 06:23 UTC</time>' in html
    assert "1 May 2024 to 20 March 2025: 324 days" in html  # counted up to the content's newest day, not today
    assert "<q>masked autoencoder</q>: 40 listed, 12 kept" in html
    write_archive(mirror, [make_paper("2503.09999", "Later", refreshed="2025-03-21T07:00:00Z")])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert 'datetime="2025-03-21T07:00:00Z"' in (mirror / "site/index.html").read_text(encoding="utf-8")


def test_a_failing_last_snapshot_is_said_with_what_it_could_not_fetch(mirror, run_cli):
    """A hub failing on the newest days left a reader to wonder why the site stopped a few days back: the ledger's
    `failing` is shown, its text escaped (it holds the hub's words), and gone once a run fetches all it asks."""
    from papermirror.content.ledger import LastRun

    write_archive(mirror, HOSTILE)
    ledger = Ledger()
    ledger.record_day("2025-03-14", 26, 4, "2025-03-15T06:23:00Z")
    failures = ["day 2025-03-16: https://hub/api/daily_papers?date=2025-03-16: HTTP 502 <script>x</script>"] + [
        f"day 2025-03-{day}: HTTP 503" for day in range(17, 24)]
    ledger.note_run(LastRun.of("2025-03-24T06:23:00Z", failures))
    write_ledger(mirror / "content", ledger)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = " ".join((mirror / "site/about/index.html").read_text(encoding="utf-8").split())
    assert ('<strong>The last snapshot, <time datetime="2025-03-24T06:23:00Z">24 March 2025, 06:23 UTC</time>, could '
            'not fetch 8 days or searches</strong> from Hugging Face') in html
    assert "<li>day 2025-03-16: https://hub/api/daily_papers?date=2025-03-16: HTTP 502 &lt;script&gt;x&lt;/script&gt;</li>" in html
    assert "<li>day 2025-03-20: HTTP 503</li> <li>and 3 more</li>" in html and "<script>x" not in html
    assert 'updated <time datetime="2025-03-15T08:00:00Z">' in html, "a failing run dates no page: only content does"
    ledger.note_run(LastRun.of("2025-03-25T06:23:00Z", []))
    write_ledger(mirror / "content", ledger)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    assert "could not fetch" not in (mirror / "site/about/index.html").read_text(encoding="utf-8")


def test_queries_and_terms_are_escaped(mirror, run_cli):
    text = (mirror / "mirror.yml").read_text(encoding="utf-8")
    text = text.replace("queries: [masked autoencoder]", f"queries: ['{HOSTILE_QUERY}']").replace(
        "include: [pre-training,", "include: ['<b>bold</b>', pre-training,")
    (mirror / "mirror.yml").write_text(text, encoding="utf-8")
    write_archive(mirror, HOSTILE[:1])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = (mirror / "site/about/index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<b>bold" not in html
    assert "<q>&lt;script&gt;alert(1)&lt;/script&gt; &amp; masks</q>: never fetched" in html
    assert "one of &lt;b&gt;bold&lt;/b&gt;, pre-training, pretraining or multi-scale starts a word" in html
    assert "No snapshot has run yet." not in html  # the papers' own times date the page


def test_about_says_the_rule_in_words_and_what_it_kept_of_the_stream(mirror, run_cli):
    from papermirror.content.ledger import Ledger, write_ledger

    ledger = Ledger()
    ledger.record_day("2025-03-13", 25, 2, "2025-03-14T08:00:00Z")
    ledger.record_day("2025-03-14", 30, 1, "2025-03-15T08:00:00Z")
    write_ledger(mirror / "content", ledger)
    write_archive(mirror, HOSTILE[:1])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = " ".join((mirror / "site/about/index.html").read_text(encoding="utf-8").split())
    assert ("A Daily Papers paper is kept when one of pre-training, pretraining or multi-scale starts a word of its "
            "title, abstract or AI keywords.") in html
    assert "Of the 55 listings of the Daily Papers days fetched so far (a paper listed on two days counts twice), the archive kept 3 (passed by the rule, or stored already: found by a search query, or kept by an earlier rule) and the rule dropped 52." in html
    # items that could not be stored are not the rule's drops
    ledger.record_day("2025-03-15", 10, 1, "2025-03-16T08:00:00Z", skipped=4)
    write_ledger(mirror / "content", ledger)
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = " ".join((mirror / "site/about/index.html").read_text(encoding="utf-8").split())
    assert ("Of the 65 listings of the Daily Papers days fetched so far (a paper listed on two days counts twice), the archive "
            "kept 4 (passed by the rule, or stored already: found by a search query, or kept by an earlier rule) and the rule dropped 57; 4 items could not be stored (no usable id, or a broken field).") in html


def test_host_a_mirror_links_the_pages_repository_and_says_what_a_fork_must_do(mirror, run_cli):
    from papermirror.site.about import pages_repository

    assert pages_repository("https://alice.github.io/asr-mirror/") == "https://github.com/alice/asr-mirror"
    assert pages_repository("https://Alice.github.io/") == "https://github.com/alice/alice.github.io"
    assert pages_repository("https://papers.example.org/") is None and pages_repository("http://127.0.0.1:8000/m/") is None
    assert pages_repository("https://evil.github.io.example.org/x/") is None
    write_archive(mirror, HOSTILE[:1])
    assert run_cli("build", "--no-index", "--base-url", "https://alice.github.io/asr-mirror/", config=mirror / "mirror.yml")[0] == 0
    html = " ".join((mirror / "site/about/index.html").read_text(encoding="utf-8").split())
    assert '<li>Fork <a href="https://github.com/alice/asr-mirror">this site\'s repository</a> on GitHub.</li>' in html
    assert "delete the <code>listing.topic</code> block" in html and "enable workflows" in html
    assert "Leave <code>main</code> unprotected" in html and "allow the workflow's bot" not in html  # it cannot be
    assert run_cli("build", "--no-index", "--base-url", "https://papers.example.org/", config=mirror / "mirror.yml")[0] == 0
    html = " ".join((mirror / "site/about/index.html").read_text(encoding="utf-8").split())
    assert "<li>Fork this site's repository (papermirror) on GitHub.</li>" in html


def test_without_the_daily_feed_the_about_page_speaks_only_of_the_searches(mirror, run_cli):
    (mirror / "mirror.yml").write_text("listing:\n  daily: false\n  queries: [masked autoencoder]\n"
                                       "  topic:\n    none:\n      agents: [agent*]\n", encoding="utf-8")
    write_archive(mirror, HOSTILE[:1])
    assert run_cli("build", "--no-index", config=mirror / "mirror.yml")[0] == 0
    html = " ".join((mirror / "site/about/index.html").read_text(encoding="utf-8").split())
    assert "The Daily Papers feed is not read" in html and "Every paper the searches find is kept, unless dropped." in html
    assert "A Daily Papers paper is kept" not in html and "fetched again on every run" not in html
    assert "is dropped when it matches &#39;agents&#39;: agent* in its title" in html
    # its ledger moves only when an answer changes: the newest stamp is the last change, not the last run
    assert "<dt>Last change recorded</dt>" in html and "Last successful snapshot" not in html
    # its sources are the searches and arXiv, not the Daily Papers feed (the fork review)
    assert "feed, day by day" not in html and "Papers API</a> (search," in html


def test_figures_counted_under_another_rule_are_said_so(shipped, run_cli, capsys):
    """The about page and status show the ledger's counts beside mirror.yml's rule in words: after an edit of the
    rule they were another rule's, and the page called them "passed by this rule" (a fork owner's review)."""
    from conftest import SHIPPED_MIRROR_YML

    from papermirror.ops.status import format_status

    def about_and_status() -> tuple[str, str]:
        assert run_cli("build", "--no-index", config=shipped / "mirror.yml")[0] == 0
        html = " ".join((shipped / "site/about/index.html").read_text(encoding="utf-8").split())
        updated = re.search(r'Updated <time datetime="([^"]+)">', html).group(1)
        status = collect_status(load_config(shipped / "mirror.yml"), now=parse_utc(updated))
        return html, format_status(status, now=parse_utc(updated))

    # the tests' mirror.yml is not the rule the shipped archive was counted under
    html, text = about_and_status()
    assert "The rule above changed after the last snapshot:</strong> these figures were counted under an earlier rule" in html
    assert "mirror.yml's topic rule changed since the last snapshot: these are an earlier rule's counts" in text
    # the rule it was counted under: nothing to say
    (shipped / "mirror.yml").write_bytes(SHIPPED_MIRROR_YML.read_bytes())
    html, text = about_and_status()
    assert "counted under an earlier rule" not in html and "an earlier rule's counts" not in text
    # a snapshot under a new rule that fetched the last two days again: the other days are the earlier rule's
    text = (shipped / "mirror.yml").read_text(encoding="utf-8").replace("data curation]", "data curation, pixel*]")
    (shipped / "mirror.yml").write_text(text, encoding="utf-8")
    ledger = read_ledger(shipped / "content")
    ledger.note_rule(load_config(shipped / "mirror.yml").listing.rule_digest(), "2026-08-21T09:00:00Z")
    for day in sorted(ledger.days)[-2:]:
        entry = ledger.days[day]
        ledger.record_day(day, entry["listed"], entry["kept"], "2026-08-21T09:00:00Z", skipped=entry.get("skipped", 0))
    write_ledger(shipped / "content", ledger)
    html, text = about_and_status()
    days = len(ledger.days) - 2
    assert (f'The rule changed on <time datetime="2026-08-21T09:00:00Z">21 August 2026, 09:00 UTC</time>: {days:,} days '
            "were counted under an earlier rule; <code>python build.py snapshot --since 2024-05-01</code> counts them again") in html
    assert f"{days} of those days were counted under an earlier rule (it changed 2026-08-21T09:00:00Z)" in text
