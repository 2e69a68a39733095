"""The trends page and the keyword pages' sparklines: the archive's figures month by month, as charts.

Everything is counted per month of `paper.day` (where the archive files a paper), over every month
from the archive's first to its last (months without papers count 0), then drawn by `site.charts`;
each chart comes with a table of the same figures (every month for the papers, as its bars, months in a row without
papers in one row; the months with a value for the lines, whose gaps are the months without one). Upvotes are the median of the month's papers (a few
papers get hundreds, most a handful: a total or a mean would follow the few), as last refreshed.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from itertools import groupby

from papermirror.site import charts
from papermirror.site.archive import Archive
from papermirror.site.contexts import (
    Chart,
    Links,
    Sparkline,
    TrendsContext,
    human_month,
)

RECENT_MONTHS = 3
BASE_MONTHS = 12
"""Rising keywords: their share of the papers of the last RECENT_MONTHS against the BASE_MONTHS before."""
RISING_SHOWN = 10
RISING_MIN_PAPERS, RISING_MIN_SHARE = 3, 0.005
"""A rising keyword is on at least this many papers of the last months and this share of them (fewer is
chance: on the real stream, 3 papers alone let one-off keywords of a single lab fill the chart)."""


def month_range(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` ("2025-11" .. "2026-02"), both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def axis_labels(months: list[str]) -> list[str]:
    """Labels under a month axis: the first month and each January ("2025"); every month when there are few."""
    if len(months) <= 12:
        return [human_month(m)[:3] + (f" {m[:4]}" if n == 0 or m.endswith("-01") else "") for n, m in enumerate(months)]
    return [human_month(m) if n == 0 else (m[:4] if m.endswith("-01") else "") for n, m in enumerate(months)]


CODE_LISTED_FROM = "2025-03"
"""The month from which Hugging Face's Daily Papers items name a paper's code repository (githubRepo): none of
the recorded items of the days before it has the field, nearly half of those after it do."""


def monthly_figures(archive: Archive, months: list[str]) -> tuple[list[int], list[float | None], list[float | None]]:
    """Papers, median upvotes (of the papers that have a count) and percent with code, per month. A month
    before CODE_LISTED_FROM none of whose papers links code has no share (a gap in the line): the listing named
    no code then, so its 0% would be "not reported", not "no code" (a month of then with a paper that links
    code, from a later refresh or a hand edit, has its share)."""
    papers, upvotes, code = [], [], []
    for month in months:
        month_papers = [archive.papers[paper_id] for paper_id in archive.months.get(month, ())]
        counts = [paper.upvotes for paper in month_papers if paper.upvotes is not None]
        papers.append(len(month_papers))
        upvotes.append(float(statistics.median(counts)) if counts else None)
        with_code = sum(bool(p.github_repo) for p in month_papers)
        known = month_papers and (with_code or month >= CODE_LISTED_FROM)
        code.append(100 * with_code / len(month_papers) if known else None)
    return papers, upvotes, code


def code_gaps(papers: list[int], code: list[float | None]) -> str:
    """What the code chart's description adds when a month with papers has no share."""
    if not any(n and share is None for n, share in zip(papers, code)):
        return ""
    return (f" (a month before {human_month(CODE_LISTED_FROM)} without a paper that links code has no value: Hugging "
            "Face's listing named no code repository before then)")


def rising_keywords(archive: Archive, months: list[str]) -> list[tuple[str, int, float, int, float]]:
    """The keywords whose share of the papers grew most from the BASE_MONTHS to the last RECENT_MONTHS:
    (name, papers before, percent before, papers now, percent now), fastest first, ties by name. Growth is
    the share now over the share before, counting one paper more before (a new keyword has none)."""
    recent, base = months[-RECENT_MONTHS:], months[-RECENT_MONTHS - BASE_MONTHS : -RECENT_MONTHS]
    windows = []
    for window in (base, recent):
        ids = [paper_id for month in window for paper_id in archive.months.get(month, ())]
        windows.append((len(ids), Counter(name for paper_id in ids for name in archive.paper_keywords[paper_id])))
    (base_total, before), (recent_total, now) = windows
    if not base_total or not recent_total:
        return []
    least = max(RISING_MIN_PAPERS, math.ceil(RISING_MIN_SHARE * recent_total))
    growth = {name: (count / recent_total) / ((before[name] + 1) / base_total) for name, count in now.items() if count >= least}
    ranked = sorted(growth, key=lambda name: (-growth[name], name))[:RISING_SHOWN]
    return [(name, before[name], 100 * before[name] / base_total, now[name], 100 * now[name] / recent_total) for name in ranked]


def papers_rows(names: list[str], papers: list[int]) -> tuple[tuple[str, str], ...]:
    """The papers table: a row for each month, as the chart has a bar for each; months in a row without papers share
    one ("February 1999 to October 2021", 0), where a paper filed in 1999 would have added 300 rows of 0."""
    rows: list[tuple[str, str]] = []
    for empty, run in groupby(zip(names, papers), key=lambda month: not month[1]):
        run = list(run)
        if empty and len(run) > 1:
            rows.append((f"{run[0][0]} to {run[-1][0]}", "0"))
        else:
            rows += [(name, str(count)) for name, count in run]
    return tuple(rows)


def month_charts(archive: Archive, months: list[str]) -> list[Chart]:
    """Papers per month, median upvotes per month, share of papers with code per month."""
    papers, upvotes, code = monthly_figures(archive, months)
    labels, names = axis_labels(months), [human_month(m) for m in months]
    span = f"from {names[0]} to {names[-1]}"
    return [
        Chart("papers-per-month", "Papers per month", f"Papers filed under each month, {span}.",
              charts.column_chart("papers-per-month", "Papers per month", f"Bars: papers per month, {span}.", papers, labels, names),
              "", ("Month", "Papers"), papers_rows(names, papers)),
        Chart("upvotes", "Upvotes by month", f"The median upvotes of each month's papers on Hugging Face, {span} "
              "(as last refreshed: recent papers are still collecting theirs).",
              charts.line_chart("upvotes", "Median upvotes by month", f"Line: median upvotes of the papers of each month, {span}.",
                                upvotes, labels, names),
              "", ("Month", "Median upvotes"), tuple((name, charts.number(u)) for name, u in zip(names, upvotes) if u is not None)),
        Chart("code", "Papers with code",
              f"The share of each month's papers that link a code repository, {span}{code_gaps(papers, code)}.",
              charts.line_chart("code", "Share of papers with code by month", f"Line: percent of each month's papers with code, {span}.",
                                code, labels, names, unit="%", top=100),
              "", ("Month", "With code"), tuple((name, charts.number(c) + "%") for name, c in zip(names, code) if c is not None)),
    ]


def rising_chart(archive: Archive, months: list[str], links: Links) -> Chart:
    """The keywords rising fastest, as pairs of bars (share before, share now) and a table."""
    rising = rising_keywords(archive, months)
    recent, base = months[-RECENT_MONTHS:], months[-RECENT_MONTHS - BASE_MONTHS : -RECENT_MONTHS]
    heading = "Rising keywords"
    columns = ("Keyword", "Papers before", "Share before", "Papers now", "Share now")
    if not rising:
        return Chart("rising", heading, "", "", f"Too few papers yet: this needs papers in the last {RECENT_MONTHS} months "
                     f"and in the {BASE_MONTHS} before, and keywords on at least {RISING_MIN_PAPERS} recent papers "
                     f"({RISING_MIN_SHARE:.1%} of them in a big archive).", columns, ())
    now, before = f"{human_month(recent[0])} to {human_month(recent[-1])}", f"{human_month(base[0])} to {human_month(base[-1])}"
    lede = (f"The keywords whose share of the papers grew most in the last {len(recent)} months ({now}) "
            f"against the {len(base)} before ({before}).")
    svg = charts.paired_bars("rising", "Rising keywords", f"Pairs of bars: percent of papers with each keyword, {before} "
                             f"and {now}.", [(name, b, n) for name, _, b, _, n in rising], (before, now), unit="%")
    rows = tuple((name, str(bc), charts.number(b) + "%", str(nc), charts.number(n) + "%") for name, bc, b, nc, n in rising)
    hrefs = tuple(links.keyword(archive.keywords[name].slug) if name in archive.keywords else None for name, *_ in rising)
    return Chart("rising", heading, lede, svg, "", columns, rows, hrefs)


def trends_context(archive: Archive, links: Links, updated: str | None) -> TrendsContext:
    """Count and draw the trends page."""
    if not archive.months:
        return TrendsContext(len(archive.newest), None, None, (), updated)
    months = month_range(next(iter(archive.months)), next(reversed(archive.months)))
    drawn = month_charts(archive, months)
    drawn.insert(1, rising_chart(archive, months, links))
    dated = sum(len(ids) for ids in archive.months.values())  # the charts count these; a paper without a date is in none
    return TrendsContext(dated, human_month(months[0]), human_month(months[-1]), tuple(drawn), updated)


def keyword_sparklines(archive: Archive) -> dict[str, Sparkline]:
    """Each keyword page's papers per month, from the keyword's first month to the archive's last."""
    if not archive.months:
        return {}
    last = next(reversed(archive.months))
    sparklines = {}
    for name, keyword in archive.keywords.items():
        counts = Counter(archive.papers[p].day[:7] for p in keyword.paper_ids if archive.papers[p].day)
        if not counts:
            continue
        months = month_range(min(counts), last)
        first, final = human_month(months[0]), human_month(months[-1])
        title = f"Papers with the keyword per month, {first} to {final}"
        peak = max(counts, key=lambda m: (counts[m], m))
        description = f"{sum(counts.values())} papers; most in {human_month(peak)} ({counts[peak]})."
        svg = charts.sparkline("keyword-trend", title, description, [counts[m] for m in months])
        sparklines[name] = Sparkline(svg, first, final, tuple((human_month(m), counts[m]) for m in sorted(counts)))
    return sparklines
