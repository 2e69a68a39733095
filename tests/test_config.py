"""mirror.yml: every mistake is named by file, line and key; good values come out typed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from papermirror.config import load_config
from papermirror.errors import UserError


def write_config(tmp_path, text: str):
    path = tmp_path / "mirror.yml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("listing:\n  since: 2024-13-01\n", ":2: listing.since: '2024-13-01' is not a day in the form YYYY-MM-DD"),
        ("listing:\n  since: 0001-01-01\n", ":2: listing.since: 0001-01-01 is before arXiv began"),
        ("site:\n  language: no\n", ":2: site.language: YAML read the tag as false: put it in quotes"),
        ("listing:\n  topic:\n    none:\n      agents:\n        terms: [agent]\n        in: title\n",
         ":6: listing.topic.none.agents.in: write a list, [title], or the mentions needed per place, {title: 1}"),
        # a number is not read as seconds since 1970
        ("listing:\n  since: 20240501\n", ":2: listing.since: '20240501' is not a day in the form YYYY-MM-DD"),
        ("listing:\n  since: 0\n", ":2: listing.since: '0' is not a day in the form YYYY-MM-DD"),
        # flat terms are prefixes already; a * (the topic groups' prefix mark) would match nothing
        ("listing:\n  include: [speech*]\n", ":2: listing.include: 'speech*': leave out the *"),
        ("listing:\n  exclude: [' ']\n", ":2: listing.exclude: ' ' has no letter or digit"),
        ("site:\n  title: x\n  per_page: true\n", ":3: site.per_page: Input should be a valid integer"),
        ("listing:\n  daily: 1\n", ":2: listing.daily: Input should be a valid boolean"),
        ("site:\n  base_url: 'https://a.org/\n\n  x'\n", ":2: site.base_url: must not contain spaces"),
        ("site:\n  base_url: https://\n", ":2: site.base_url: must name a host"),
        ("site:\n  base_url: https://me:secret@a.org/\n", ":2: site.base_url: must not hold a user name or password"),
        ("listing:\n  queries: [mae, vit, MAE]\n", ":2: listing.queries: 'MAE' is given twice; keep one"),
        ("site:\n  base_url: https://token@a.org/repo/\n", ":2: site.base_url: must not hold a user name or password"),
        ("site:\n  title: ' '\n", ":2: site.title: must not be empty"),
        ("site:\n  base_url: ftp://a.org/\n", ":2: site.base_url: must start with http:// or https://"),
        # "//host" in the base path would make every link, script and stylesheet load from another host
        ("site:\n  base_url: https://a.org//evil.example/\n", ":2: site.base_url: must not hold an empty path segment (//)"),
        ("site:\n  base_url: https://a.org/repo//\n", ":2: site.base_url: must not hold an empty path segment (//)"),
        ("site:\n  base_url: 'https://a.org/sub?q=1'\n", ":2: site.base_url: must be a folder to serve the site from, without ?query"),
        ("site:\n  base_url: 'https://a.org/sub/#top'\n", ":2: site.base_url: must be a folder to serve the site from, without ?query"),
        ("site:\n  base_url: 'https://a.org:99999/'\n", ":2: site.base_url: not a URL (Port out of range"),
        ("listing:\n  queries: [ok, 5]\n", ":2: listing.queries.1: Input should be a valid string"),
        ("listing:\n  refresh_days: 3\n  quries: [x]\n", ":3: listing.quries: unknown key"),
        ("site: [\n", ":2: not valid YAML: expected the node content"),
        ("site:\n  title: A\nsite:\n  title: B\n", ":3: not valid YAML: the key 'site' is written twice"),
        ("listing:\n  since: 2025-01-01\n  since: 2025-02-01\n", ":3: not valid YAML: the key 'since' is written twice"),
        ("- a\n", ": must be a mapping of keys"),
        ("root: /etc\n", ": root: unknown key"),
        ("site:\n  language: English\n", ":2: site.language: 'English' is not a language tag like en, de or pt-BR"),
        ("site:\n  language: ''\n", ":2: site.language: '' is not a language tag"),
        ("site:\n  base_url: https://me.github.io/repo/index.html\n", ":2: site.base_url: must be the folder the site is "
         "served from, not a page in it (index.html)"),
        ("listing:\n  queries: one query\n", ":2: listing.queries: must be a list: '- item' lines, or [a, b]"),
        ("site: [a]\n", ":1: site: must be a mapping: indented 'key: value' lines"),
        ("listing:\n  topic:\n    all:\n      vision:\n        terms: []\n",
         ":5: listing.topic.all.vision.terms: needs at least one item"),
        (f"site: {{per_page: {'9' * 5000}}}\n", ": not valid YAML here: Exceeds the limit"),  # a traceback before
        (f"site: {{title: {'[' * 3000}{']' * 3000}}}\n", ": not valid YAML here: nested too deeply"),
    ],
)
def test_bad_values_are_named_with_their_line(tmp_path, text, message):
    path = write_config(tmp_path, text)
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert f"{path}{message}" in str(caught.value)


def test_good_config_is_typed_and_days_stay_days(tmp_path):
    path = write_config(tmp_path, "site:\n  base_url: https://user.github.io/repo\nlisting:\n  since: 2025-01-02\n"
                                  "  queries: [a b]\n  refresh_days: 0\n")
    config = load_config(path)
    assert config.listing.since == dt.date(2025, 1, 2)
    assert config.site.base_url == "https://user.github.io/repo/" and config.site.base_path == "/repo/"
    assert config.listing.queries == ("a b",) and config.listing.refresh_days == 0
    assert config.content_dir == tmp_path / "content"


def test_empty_and_missing_config(tmp_path):
    assert load_config(write_config(tmp_path, "")).site.per_page == 50
    with pytest.raises(UserError, match="no such file; run the command in the mirror's folder"):
        load_config(tmp_path / "nope.yml")


def test_a_command_run_below_the_mirror_names_the_mirror_s_folder(tmp_path, monkeypatch):
    """`cd content && python ../build.py build` said "mirror.yml: no such file (copy mirror.yml from the papermirror
    repo)" to someone inside the mirror."""
    write_config(tmp_path, "")
    (tmp_path / "content" / "papers").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "content" / "papers")
    with pytest.raises(UserError) as raised:
        load_config(Path("mirror.yml"))
    assert str(raised.value) == (f"{tmp_path / 'content' / 'papers' / 'mirror.yml'}: no such file; the mirror is in "
                                 f"{tmp_path}: run the command there, or pass --config {tmp_path / 'mirror.yml'}")


def test_a_key_left_empty_takes_its_default(tmp_path):
    """README says every key is optional: a section whose lines were all deleted or commented out is too."""
    path = write_config(tmp_path, "site:\n  # title: x\nlisting:\n  queries:\n  since: 2025-01-02\n  topic:\n")
    config = load_config(path)
    (tmp_path / "d").mkdir()
    default = load_config(write_config(tmp_path / "d", ""))
    assert config.site == default.site and config.listing.queries == default.listing.queries
    assert config.listing.topic == default.listing.topic and config.listing.since == dt.date(2025, 1, 2)


def test_a_base_url_with_letters_outside_ascii_is_written_as_a_url_carries_it(tmp_path):
    """'https://me.example/répo/' went raw into the sitemap's <loc> and robots.txt."""
    config = load_config(write_config(tmp_path, "site:\n  base_url: https://me.example/r\u00e9po\n"))
    assert config.site.base_url == "https://me.example/r%C3%A9po/" and config.site.base_path == "/r%C3%A9po/"
