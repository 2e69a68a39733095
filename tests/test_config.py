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
        ("site:\n  title: x\n  per_page: true\n", ":3: site.per_page: must be a whole number, without quotes"),
        ("listing:\n  daily: 1\n", ":2: listing.daily: must be true or false, without quotes"),
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
        ("listing:\n  queries: [ok, 5]\n", ":2: listing.queries, item 2: must be text: put it in quotes"),
        # the item's own line, and why: YAML read "ASR: robust" as a mapping (the fork review)
        ("listing:\n  queries:\n    - ok\n    - ASR: robust recognition\n", ":4: listing.queries, item 2: must be text: put it in quotes"),
        # pydantic's own words, and its count from 0, said as a sentence and from 1 (the fork review)
        ("site:\n  per_page: 0\n", ":2: site.per_page: must be at least 1"),
        ("listing:\n  queries: [a, '" + "x" * 251 + "']\n", ":2: listing.queries, item 2: must be at most 250 characters long"),
        ("listing:\n  topic:\n    all:\n      video:\n        in: [title]\n", ":4: listing.topic.all.video.terms: must be given"),
        ("listing:\n  refresh_days: 3\n  quries: [x]\n", ":3: listing.quries: unknown key; did you mean queries? (the keys here: "
         "queries, query_limit, daily, include, exclude, topic, since, refresh_days, details_budget)"),
        ("site:\n  titel: x\n", ":2: site.titel: unknown key; did you mean title?"),
        # a key of another section: "did you mean site?" sent `since` the wrong way (the fork review)
        ("since: 2024-01-01\n", ":1: since: unknown key here: since belongs under listing: (the keys here: site, listing)"),
        ("site:\ntitle: x\n", ":2: title: unknown key here: title belongs under site:"),
        ("listing:\n  language: fr\n", ":2: listing.language: unknown key here: language belongs under site:"),
        ("listing:\n  all:\n    v: [x]\n", ":2: listing.all: unknown key here: all belongs under listing.topic:"),
        ("listing:\n  topic:\n    all:\n      v: [x]\n    terms: [y]\n",
         ":5: listing.topic.terms: unknown key here: terms belongs in a group of listing.topic's all: or none:"),
        ("listing:\n  topic:\n    all:\n      v:\n        terms: [vision]\n        inn: [title]\n",
         ":6: listing.topic.all.v.inn: unknown key; did you mean in? (the keys here: terms, in, unless)"),
        ("site:\n  title: 2024\n", ":2: site.title: must be text: put it in quotes"),
        ("listing:\n  since: 2024\n", ":2: listing.since: '2024' is not a day in the form YYYY-MM-DD"),
        ("site:\n  title: Speech: the archive\n", ":2: not valid YAML: mapping values are not allowed here; a value "
         "holding ': ' must be put in quotes"),
        ("site:\n  title: @speech\n", ":2: not valid YAML: found character '@' that cannot start any token; a value "
         "beginning with @, ` or % must be put in quotes"),
        # a list of items that are all wrong: the items' error, not also "needs at least one item"
        ("listing:\n  topic:\n    all:\n      s: [speech: recognition]\n", ":4: listing.topic.all.s.terms, item 1: must be text"),
        ("listing:\n  topic:\n    all:\n      'video gen!': [video]\n", ":4: listing.topic.all.video gen!: a group's name must "
         "begin with a letter or digit"),
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
        # the CLI review: a traceback (RecursionError), a wrong hint, a line past the end, a line far from the mistake
        ("listing_defaults: &d\n  self: *d\n", ":2: YAML aliases (&name, *name) are not allowed here; write the value out"),
        ("a: &a [*a]\n", ":1: YAML aliases (&name, *name) are not allowed here"),
        ("site:\n\ttitle: My mirror\n", ":2: not valid YAML: found character '\\t' that cannot start any token; indent with "
         "spaces: YAML does not take tabs"),
        ("site:\n  title: \"My mirror\n  per_page: 20\nlisting:\n  since: 2024-05-01\n", ":2: not valid YAML: a quote "
         "opened on this line is never closed; close it with the same quote, on this line"),
        ("site:\n  title: 'My mirror\n  description: \"One sentence.\"\n  base_url: 'https://a.github.io/b/'\n",
         ":2: not valid YAML: a quote opened on this line is not closed on it (YAML read on to line 4: "),
        # and not for a bad escape in a closed quote, nor a line above a mistake that only looks unclosed (diff review)
        ('site:\n  title: "Speech"\n  description: "see C:\\papers"\n', ":3: not valid YAML: found unknown escape character 'p'"),
        ("site:\n  language: 'en'  # the site's language\n  title: Speech: the archive\n", ":3: not valid YAML: mapping "
         "values are not allowed here; a value holding ': ' must be put in quotes"),
        ('site:\n  title: "Pre-training\n    at scale"\n  per_page: 50\n\tdescription: x\n', ":5: not valid YAML: found "
         "character '\\t'"),
        # a quote opening a key's line, held by YAML while a ':' could follow; a closed multi-line value (second look)
        ('site:\n  "language: en\n  per_page: 20\nlisting:\n  queries:\n    - "masked"\n', ":2: not valid YAML: a quote "
         "opened on this line is not closed on it (YAML read on to line 6: "),
        ('site:\n  title: "Pre-training at scale\n    for vision" oops: x\n', ":3: not valid YAML: expected <block end>"),
        # an emptied group (its lines commented out) is not left out: the only `all` group gone, every paper was kept
        ("listing:\n  topic:\n    all:\n      embodied:\n        # terms: [robot*]\n    none:\n      gui: [GUI]\n",
         ":4: listing.topic.all.embodied: this group is empty: give it its terms"),
        ("listing:\n  topic:\n    none:\n      gui:\n", ":4: listing.topic.none.gui: this group is empty"),
        # an emptied topic: kept every daily paper without a word (the fork review)
        ("listing:\n  topic:\n  # all:\n  #   vision: [vision]\n", ":2: listing.topic: empty: give it its groups"),
        ("listing:\n  topic: {}\n", ":2: listing.topic: empty: give it its groups"),
        ("listing:\n  daily: false\n", ":1: listing: daily is false and there are no queries: nothing would ever "
                                          "be fetched"),
        ("listing:\n  topic:\n    all:\n      v:\n        terms: [vision]\n        in: [title, title]\n",
         ":6: listing.topic.all.v.in: 'title' is given twice"),
        # a YAML slip: a TypeError traceback (unhashable type) (the diff review)
        ("listing:\n  topic:\n    all:\n      v:\n        terms: [vision]\n        in: [[title], abstract]\n",
         ":6: listing.topic.all.v.in: ['title'] is not a place"),
        ("listing:\n  topic:\n    all:\n      v:\n        terms: [vision]\n        in: [{title: 1}]\n",
         ":6: listing.topic.all.v.in: {'title': 1} is not a place"),
        ("listing:\n  topic:\n    all:\n      # speech: [speech]\n    none:\n      gui: [GUI]\n",
         ":3: listing.topic.all: no group under it: write one, or delete this line too"),
        # a key that is a number was named ", item 2" with pydantic's words; a NUL gave two lines (the review)
        ("site:\n  title: x\n1: x\n", ":3: 1: a key must be a name, not a number, a date, true, false or null (quote it"),
        ("site:\n  title: x\nnull: x\n", ":3: null: a key must be a name"),  # pydantic names it "None"
        ("listing:\n  topic:\n    all:\n      true: [a]\n", ":4: listing.topic.all.true: must be text"),  # and this 1
        ("listing:\n  topic:\n    all:\n      2024: [vision]\n", ":4: listing.topic.all.2024: must be text: put it"),
        ("listing:\n  queries: [ok, 5]\n", ":2: listing.queries, item 2: must be text"),
        ('site:\n  title: "a\0b"\n', ":2: not valid YAML: unacceptable character #x0000: special characters are not allowed"),
        # a NUL in a query went to the hub, one in a term matched nothing (the user-mistakes review)
        ('listing:\n  queries: ["a\\u0000b"]\n', ":2: listing.queries, item 1: 'a\\x00b' holds a control character"),
        ('listing:\n  topic:\n    all:\n      v: ["x\\ty"]\n', ":4: listing.topic.all.v.terms, item 1: 'x\\ty' holds a"),
        ('listing:\n  exclude: ["a\\u202eb"]\n', ":2: listing.exclude, item 1: 'a\\u202eb' holds a control character"),
        # `all: {}` kept every daily paper, where `all:` was refused (the user-mistakes review)
        ("listing:\n  topic:\n    all: {}\n    none:\n      gui: [GUI]\n",
         ":3: listing.topic.all: no group under it: write one, or delete this line too"),
        ("listing:\n  topic:\n    all:\n      v: [vision]\n    none: {}\n", ":5: listing.topic.none: no group under it"),
    ],
)
def test_bad_values_are_named_with_their_line(tmp_path, text, message):
    path = write_config(tmp_path, text)
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert f"{path}{message}" in str(caught.value)
    assert "\n" not in str(caught.value) or str(caught.value).count(str(path)) > 1  # a line per mistake


def test_an_emptied_option_of_a_topic_group_takes_its_default(tmp_path):
    path = write_config(tmp_path, "listing:\n  topic:\n    all:\n      vision:\n        terms: [vision]\n        unless:\n"
                                  "        in:\n")
    group = load_config(path).listing.topic.all["vision"]
    assert group.unless == () and group.in_ == {"title": 1, "keywords": 1, "abstract": 1}


def test_a_group_s_option_indented_one_step_too_few_is_named(tmp_path):
    """`in:` or `unless:` written level with the group's name became a group of its own: the rule then kept papers
    holding the word "title" and dropped every one on "speech recognition", without a word (the fork review)."""
    path = write_config(tmp_path, "listing:\n  topic:\n    all:\n      speech:\n        terms: [speech, ASR]\n"
                                  "      in: [title]\n    none:\n      tts:\n        terms: [text-to-speech]\n"
                                  "      unless: [speech recognition]\n")
    with pytest.raises(UserError) as caught:
        load_config(path)
    assert str(caught.value).splitlines() == [
        f"{path}:6: listing.topic.all.in: 'in' is a group's option, not a group: indent it under the group it belongs "
        "to, two spaces more than the group's name",
        f"{path}:10: listing.topic.none.unless: 'unless' is a group's option, not a group: indent it under the group it "
        "belongs to, two spaces more than the group's name"]
    assert "too_short" not in str(caught.value) and "needs at least one item" not in str(caught.value)


def test_good_config_is_typed_and_days_stay_days(tmp_path):
    path = write_config(tmp_path, "site:\n  base_url: https://user.github.io/repo\nlisting:\n  since: 2025-01-02\n"
                                  "  queries: [a b]\n  refresh_days: 0\n")
    config = load_config(path)
    assert config.listing.since == dt.date(2025, 1, 2)
    assert config.site.base_url == "https://user.github.io/repo/" and config.site.base_path == "/repo/"
    assert config.listing.queries == ("a b",) and config.listing.refresh_days == 0
    assert config.content_dir == tmp_path / "content"


def test_empty_and_missing_config(tmp_path, caplog):
    """An empty file is every key's default, said: it keeps every Daily Papers paper (a file emptied by mistake
    widened the rule without a word: the fork review)."""
    assert load_config(write_config(tmp_path, "")).site.per_page == 50
    assert "empty: every key takes its default, so the topic rule keeps every Daily Papers paper" in caplog.text
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
    path = write_config(tmp_path, "site:\n  # title: x\nlisting:\n  queries:\n  since: 2025-01-02\n  include:\n")
    config = load_config(path)
    (tmp_path / "d").mkdir()
    default = load_config(write_config(tmp_path / "d", ""))
    assert config.site == default.site and config.listing.queries == default.listing.queries
    assert config.listing.include == default.listing.include and config.listing.since == dt.date(2025, 1, 2)


def test_a_base_url_with_letters_outside_ascii_is_written_as_a_url_carries_it(tmp_path):
    """'https://me.example/répo/' went raw into the sitemap's <loc> and robots.txt."""
    config = load_config(write_config(tmp_path, "site:\n  base_url: https://me.example/r\u00e9po\n"))
    assert config.site.base_url == "https://me.example/r%C3%A9po/" and config.site.base_path == "/r%C3%A9po/"
