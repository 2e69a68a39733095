#!/usr/bin/env python3
"""papermirror's command line: snapshot the HF Papers listing, build the site, search it.

    python build.py snapshot   fetch the topic's papers into content/
    python build.py details    fetch papers' linked models, datasets and Spaces (a resumable backfill)
    python build.py build      render content/ into site/ and index it for search
    python build.py search Q   search the archive from the terminal
    python build.py serve      preview site/ locally, rebuilding on change
    python build.py status     the archive's health: papers, days fetched and missing
    python build.py reset      empty content/ to start a new topic (asks first)

Every command reads mirror.yml (or --config FILE) and works in the folder that holds it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import gc
import logging
import os
import re
import sys
import threading
from pathlib import Path

try:
    from papermirror.config import DEFAULT_CONFIG_NAME, Config, load_config
    from papermirror.content.paper import TERMINAL_CONTROLS
    from papermirror.errors import UserError
except ModuleNotFoundError as missing:  # a Python without the dependencies: the venv is not active, or not made
    sys.exit(f"build.py: the package {missing.name!r} is not installed for {sys.executable}. Activate the venv "
             "(. .venv/bin/activate), or make it as the README's \"Set up\" says: python3 -m venv .venv && "
             ". .venv/bin/activate && pip install -e .")

log = logging.getLogger("papermirror")
_UNSHOWN = re.compile(f"[{TERMINAL_CONTROLS}]")


def shown(text: str) -> str:
    """A message as the terminal may show it: the control characters a content file or a hub's answer put in it
    (an ESC that clears the screen or sets the window's title) written as escapes (\\x1b), naming what is there."""
    return _UNSHOWN.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def parse_day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a day in the form YYYY-MM-DD") from None


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--config", type=Path, default=Path(DEFAULT_CONFIG_NAME), help="the mirror's config file (default: %(default)s)")
    parser.add_argument("-v", "--verbose", action="store_true", help="say more about what happens")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only warnings, errors and the summary")
    # -v/-q and --config also work after the command (`build.py build -q`): every command takes them from
    # `output`. Their default there is SUPPRESS, so a command given no -q keeps a -q given before it.
    output = argparse.ArgumentParser(add_help=False)
    output.add_argument("--config", type=Path, default=argparse.SUPPRESS, help="the mirror's config file (default: mirror.yml)")
    output.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="say more about what happens")
    output.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS,
                        help="print only warnings, errors and the summary")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    add_fetch_commands(commands, output)
    add_site_commands(commands, output)
    add_ops_commands(commands, output)
    return parser


def add_fetch_commands(commands: argparse._SubParsersAction, output: argparse.ArgumentParser) -> None:
    """snapshot and details: fetch from the hub into content/."""
    snap = commands.add_parser("snapshot", parents=[output], help="fetch the topic's papers from the HF Papers API into content/",
                               description="Fetch the topic's queries and Daily Papers days into content/. "
                               "Set HF_ENDPOINT to use another host, HF_TOKEN to authenticate.")
    snap.add_argument("--since", type=parse_day, metavar="DAY", help="fetch every day from DAY (YYYY-MM-DD), fetched before or not")
    snap.add_argument("--until", type=parse_day, metavar="DAY", help="fetch days up to DAY (default: today, UTC)")
    snap.add_argument("--dry-run", action="store_true", help="fetch and report, but write nothing")
    snap.add_argument("--allow-empty", action="store_true",
                      help="exit 0 even when the hub lists no paper at all for a topic that had papers")
    snap.set_defaults(run=run_snapshot_command)

    details = commands.add_parser("details", parents=[output], help="fetch papers' linked models, datasets and Spaces "
                                  "(a resumable backfill)", description="Fetch the linked models, datasets and Spaces "
                                  "of the papers without them, then of those measured longest ago, spending at most "
                                  "listing.details_budget requests; the next run carries on. Set HF_ENDPOINT to use "
                                  "another host, HF_TOKEN to authenticate.")
    details.add_argument("--budget", type=positive_int, metavar="N",
                         help="spend at most N requests (default: listing.details_budget in mirror.yml)")
    details.set_defaults(run=run_details_command)


def add_site_commands(commands: argparse._SubParsersAction, output: argparse.ArgumentParser) -> None:
    """build and search: render content/ into site/, search it."""
    build = commands.add_parser("build", parents=[output], help="render content/ into site/ through the layouts in layouts/",
                                description="Render content/ into site/: paper pages, listings, feeds and sitemap. "
                                "Only pages whose inputs changed are drawn again; a run with no change writes nothing.")
    build.add_argument("--base-url", metavar="URL", help="where the site is served, overriding site.base_url in mirror.yml "
                       "(e.g. https://user.github.io/repo/)")
    build.add_argument("--jobs", type=int, metavar="N", help="worker processes for drawing pages (default: one per core)")
    build.add_argument("--no-index", action="store_true", help="skip the Pagefind search index (faster previews)")
    build.add_argument("--output", type=Path, metavar="DIR", help="write the site into DIR instead of site/ "
                       "(serve builds its preview into .cache/preview/site, leaving site/ alone)")
    build.set_defaults(run=run_build_command)

    search = commands.add_parser("search", parents=[output], help="search the local archive from the terminal (lunr.py)",
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 description="Search content/ with lunr.py; results best first: id, date, title, score.",
                                 epilog=SEARCH_EXAMPLES)
    search.add_argument("query", nargs="+", help="words and lunr syntax (joined with spaces)")
    search.add_argument("--limit", type=positive_int, default=20, metavar="N", help="show at most N results (default: %(default)s)")
    search.add_argument("--json", action="store_true", help="print one JSON object per line: id, date, title, score")
    search.set_defaults(run=run_search_command)


def add_ops_commands(commands: argparse._SubParsersAction, output: argparse.ArgumentParser) -> None:
    """status, reset and serve: operate a mirror."""
    status = commands.add_parser("status", parents=[output],
                                 help="the archive's health; exit 1 when no snapshot ran for 3 days, or the last one "
                                 "failed somewhere",
                                 description="Papers, the last snapshot, days fetched, empty and never fetched "
                                 "since listing.since, and the queries. Exit 1 when the archive looks stale (no "
                                 "snapshot for 3 days) or the last snapshot on this machine failed on some days or "
                                 "queries.")
    status.add_argument("--json", action="store_true", help="print the report as JSON, for scripts")
    status.set_defaults(run=run_status_command)

    reset = commands.add_parser("reset", parents=[output], help="empty content/papers and the ledger, to start a new topic",
                                description="Delete every paper file and the ledger so that the next snapshot "
                                "backfills the topic of mirror.yml from listing.since. Asks first.")
    reset.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")
    reset.set_defaults(run=run_reset_command)

    serve = commands.add_parser("serve", parents=[output], help="preview site/ locally, rebuilding on change",
                                description="Build the site for http://127.0.0.1:PORT<sub-path>, serve it under "
                                "site.base_url's sub-path, and rebuild when content/, layouts/ or mirror.yml change.")
    serve.add_argument("--port", type=port_number, default=8000, help="the port on 127.0.0.1 (default: %(default)s; 0 = any free)")
    serve.add_argument("--no-build", action="store_true", help="serve site/ as it is: no build, no watching")
    serve.set_defaults(run=run_serve_command)


SEARCH_EXAMPLES = """\
examples:
  python build.py search masked autoencoder
  python build.py search 'title:mamba'            a word in the title
  python build.py search 'author:xie keyword:vit' fields: id title author keyword summary abstract
  python build.py search 'pretrain*'              a wildcard
  python build.py search +masked -language        require one word, exclude another
  python build.py search --json --limit 5 diffusion
"""


def whole_number(low: int, high: int | None, what: str):
    """An argparse type: a whole number from `low` to `high` (no upper bound when None), else `what` in the error."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            number = None
        if number is None or number < low or (high is not None and number > high):
            raise argparse.ArgumentTypeError(f"{value!r} is not {what}")
        return number

    return parse


positive_int = whole_number(1, None, "a whole number of 1 or more")
port_number = whole_number(0, 65535, "a port number from 0 to 65535")


def run_snapshot_command(config: Config, args: argparse.Namespace) -> int:
    from papermirror.content.paper import FIRST_DAY
    from papermirror.fetch.hub import WINDOW_FILE, Hub
    from papermirror.fetch.snapshot import run_snapshot
    from papermirror.processes import exclusive_run, stop_on_signals

    for option, day in (("--since", args.since), ("--until", args.until)):
        if day and day < FIRST_DAY:  # as listing.since: it wrote days of 1980 into the ledger
            raise UserError(f"{option} {day} is before arXiv began ({FIRST_DAY})")
    if args.since and args.until and args.since > args.until:
        raise UserError(f"--since {args.since} is after --until {args.until}")
    if args.until and not args.since and config.listing.daily and args.until < config.listing.since:
        raise UserError(f"--until {args.until} is before listing.since ({config.listing.since}): no day to fetch; "
                        "give --since too for days before it")
    today = dt.datetime.now(dt.timezone.utc).date()
    if args.since and not args.until and args.since > today:  # it fetched nothing and said it was done
        raise UserError(f"--since {args.since} is after today ({today}, UTC): no day to fetch yet")
    if config.listing.daily and not args.since and config.listing.since > today:
        log.warning("listing.since (%s) is after today (%s, UTC): no Daily Papers day is fetched before then; if "
                    "that is a typo, correct it in the config file", config.listing.since, today)
    progress = sys.stderr.isatty() and not args.quiet
    with stop_on_signals(), exclusive_run(config.cache_dir, "snapshot"), \
            Hub.from_env(window_file=config.cache_dir / WINDOW_FILE) as hub:
        summary = run_snapshot(config, hub, since=args.since, until=args.until, dry_run=args.dry_run, progress=progress,
                               allow_empty=args.allow_empty)
    prefix = "dry run, nothing written: " if args.dry_run else ""
    print(f"snapshot: {prefix}{summary.line()}")
    if summary.skipped:
        print(f"snapshot: {summary.skipped} items skipped (see the warnings for which and why)")
    for failure in summary.failures:
        print(shown(f"snapshot: FAILED {failure}"), file=sys.stderr)
    if summary.failures:
        print("snapshot: everything fetched before the failure is kept; run again to carry on", file=sys.stderr)
        return 1
    if summary.looks_empty() and not args.allow_empty:
        print(f"snapshot: SUSPICIOUS: {summary.suspicion()}. Check HF_ENDPOINT and the queries, or pass --allow-empty "
              "if this is expected.", file=sys.stderr)
        return 3
    return 0


def run_details_command(config: Config, args: argparse.Namespace) -> int:
    from papermirror.fetch.details import run_details_backfill
    from papermirror.fetch.hub import WINDOW_FILE, Hub
    from papermirror.processes import exclusive_run, stop_on_signals

    progress = sys.stderr.isatty() and not args.quiet
    # the snapshot's lock: both rewrite paper files, and each would write back its own stale copy of the other's
    with stop_on_signals(), exclusive_run(config.cache_dir, "snapshot", "details"), \
            Hub.from_env(window_file=config.cache_dir / WINDOW_FILE) as hub:
        summary = run_details_backfill(config, hub, budget=args.budget, progress=progress)
    print(f"details: {summary.line()}; {summary.missing} papers still without details")
    for failure in summary.failed:
        print(shown(f"details: FAILED {failure}"), file=sys.stderr)
    if summary.failed:
        print("details: every answer before the failure is kept; run again to carry on", file=sys.stderr)
    return 1 if summary.failed else 0


def run_status_command(config: Config, args: argparse.Namespace) -> int:
    import json

    from papermirror.ops.status import collect_status, format_status

    status = collect_status(config)
    print(json.dumps(status.to_json(), indent=2) if args.json else shown(format_status(status)))
    return 1 if status.stale or status.last_run_failed else 0


def run_reset_command(config: Config, args: argparse.Namespace) -> int:
    from papermirror.ops.reset import plan_reset, reset_archive
    from papermirror.processes import exclusive_run

    plan = plan_reset(config)
    ledger = " and the ledger" if plan.ledger else ""
    what = f"{plan.papers} paper file(s) in {config.content_dir / 'papers'}{ledger} (notes in them too)"
    if plan.empty:
        print(f"reset: {config.content_dir} holds no papers and no ledger: nothing to do")
        return 0
    if not args.yes:
        if not sys.stdin.isatty():
            raise UserError(f"reset: would delete {what}, but there is no terminal to confirm on; "
                            "nothing deleted. Pass --yes to reset without asking.")
        try:
            answer = input(f"Delete {what}? Type 'yes' to go on: ")
        except (EOFError, KeyboardInterrupt):  # Ctrl-D or Ctrl-C at the question: a no (it printed a traceback)
            answer = ""
            print()
        if answer.strip().lower() != "yes":
            print("reset: nothing deleted")
            return 0  # a refusal is an answer, not an error
    with exclusive_run(config.cache_dir, "snapshot", "reset"):  # never while a snapshot writes content/
        reset_archive(config)
    print(f"reset: deleted {plan.papers} paper file(s){ledger}; the next `python build.py snapshot` "
          f"backfills from listing.since ({config.listing.since}). Commit content/ to publish the reset.")
    if plan.others:
        names = ", ".join(plan.others[:5]) + (f" and {len(plan.others) - 5} more" if len(plan.others) > 5 else "")
        print(shown(f"reset: kept {len(plan.others)} file(s) in {config.content_dir} that are not paper files: {names}"))
    return 0


def run_serve_command(config: Config, args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from papermirror.ops.serve import serve_preview
    from papermirror.processes import exclusive_run

    # One preview folder a mirror: two serves built into it by turns, each with its own port in every link.
    with nullcontext() if args.no_build else exclusive_run(config.cache_dir, "serve"):
        serve_preview(config, args.config, args.port, build=not args.no_build)
    return 0


MAX_JOBS_PER_CORE = 4
"""The most drawing processes `build --jobs` starts for each core: 1,000 on 2 cores made a 2.5 s build take 61 s."""


def run_build_command(config: Config, args: argparse.Namespace) -> int:
    from papermirror.processes import exclusive_run
    from papermirror.site.render import build_site

    most = MAX_JOBS_PER_CORE * (os.cpu_count() or 1)
    if args.jobs is not None and not 1 <= args.jobs <= most:
        raise UserError(f"--jobs {args.jobs}: must be from 1 to {most} ({MAX_JOBS_PER_CORE} a core on this machine; "
                        "each one is a process drawing pages)")
    with exclusive_run(config.cache_dir, "build"):
        site_dir = args.output.resolve() if args.output else config.site_dir
        report = build_site(config, base_url=args.base_url, jobs=args.jobs, site_dir=site_dir)
        print(f"build: {report.line()}")
        if not args.no_index:
            from papermirror.search.pagefind import index_site

            print(f"index: {index_site(config, site_dir).line()}")
    return 0


def run_search_command(config: Config, args: argparse.Namespace) -> int:
    from papermirror.search.terminal import search_archive

    hits = search_archive(config, " ".join(args.query), limit=args.limit)
    for hit in hits:
        print(hit.as_json() if args.json else hit.as_line())
    if not hits:  # on stderr: stdout (JSON lines with --json) stays empty
        print("no results", file=sys.stderr)
    return 0


DISK_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EMFILE})
"""Failures of the disk or the file system that a user fixes: a one-line message, not a traceback."""
PATH_ERRORS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EEXIST, errno.ELOOP, errno.ENAMETOOLONG})
"""A path that is not what the command needs (`--output` below a file, site/ a file): a one-line message too."""


class MessageFormatter(logging.Formatter):
    """Plain lines for progress, 'warning: ...' and 'error: ...' for the rest."""

    def format(self, record: logging.LogRecord) -> str:
        message = shown(record.getMessage())
        return message if record.levelno < logging.WARNING else f"{record.levelname.lower()}: {message}"


class AlikeWarnings(logging.Filter):
    """Lets through at most `most` warnings of one kind (one message template: "skipped an item whose id is not a
    usable arXiv id: %s"), counting the rest: a hub answering millions of odd items wrote a line for each, 727 MB.
    Errors always pass. A forked worker process (reading or drawing pages) goes on from the counts of the moment it
    was forked, and says what it held back when it ends."""

    def __init__(self, most: int) -> None:
        super().__init__()
        self.most, self.seen, self.held = most, {}, {}
        self._lock = threading.Lock()  # the hub's threads warn at once

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        kind = str(record.msg)
        with self._lock:
            seen = self.seen[kind] = self.seen.get(kind, 0) + 1
            if seen <= self.most:
                return True
            self.held[kind] = self.held.get(kind, 0) + 1
            return False

    def say_held(self) -> None:
        """Say, a line each, how many warnings of each kind were not shown."""
        with self._lock:
            held, self.held = self.held, {}
        for kind, count in held.items():
            like = re.sub(r"%[-#0 +]*\d*(?:\.\d+)?[a-z]", "…", kind.replace("%%", "\0")).replace("\0", "%")
            print(shown(f"warning: {count:,} more warnings like \"{like}\" not shown (-v shows every one)"),
                  file=sys.stderr)

    def in_worker(self) -> None:
        """In a forked worker process: a lock of its own (another thread may have held the parent's), nothing held
        back yet, and what it holds back said when it ends (multiprocessing's workers run their finalizers on the way
        out)."""
        from multiprocessing import util

        self._lock, self.held = threading.Lock(), {}
        util.Finalize(None, self.say_held, exitpriority=0)


MOST_ALIKE_WARNINGS = 100
"""Warnings of one kind shown by a command (AlikeWarnings; -v shows every one)."""


GLOBAL_OPTIONS = {"--config": 1, "-v": 0, "--verbose": 0, "-q": 0, "--quiet": 0, "-h": 0, "--help": 0}
"""The options before a command, with how many values each."""
SEARCH_OPTIONS = {**GLOBAL_OPTIONS, "--limit": 1, "--json": 0}
"""The options `search` takes, with how many values each: any other word after `search` is the query's."""


def option_of(word: str, options: dict[str, int]) -> str | None:
    """The option `word` names among `options` (`--lim` for --limit, as argparse reads it; `--limit=5`; `-vq`), else None."""
    name = word.split("=", 1)[0]
    if name in options:
        return name
    if name.startswith("--"):
        longer = [option for option in options if option.startswith(name)]
        return longer[0] if len(longer) == 1 else None
    if len(word) > 2 and word[0] == "-" and all(f"-{flag}" in options and not options[f"-{flag}"] for flag in word[1:]):
        return word  # short flags together: -vq
    return None


def search_words_last(argv: list[str]) -> list[str]:
    """`argv` with a search's query words after `--`: lunr's `-word` (exclude a word) begins with a dash, which
    argparse would take for an unknown option (`search -language` said the query was missing). The command is the
    first word that is neither a global option nor an option's value; only a `search` command is changed."""
    at = 0
    while at < len(argv) and argv[at] != "--" and option_of(argv[at], GLOBAL_OPTIONS):
        at += 1 if "=" in argv[at] else 1 + GLOBAL_OPTIONS.get(option_of(argv[at], GLOBAL_OPTIONS), 0)
    if at >= len(argv) or argv[at] != "search":
        return argv
    options, words, rest = [], [], iter(argv[at + 1 :])
    for word in rest:
        option = option_of(word, SEARCH_OPTIONS) if word != "--" else None
        if word == "--":
            words.extend(rest)
        elif option:
            options.append(word)
            if "=" not in word:
                options.extend(value for _, value in zip(range(SEARCH_OPTIONS.get(option, 0)), rest))
        else:
            words.append(word)
    return [*argv[: at + 1], *options, *(["--", *words] if words else [])]


def main(argv: list[str] | None = None) -> int:
    from papermirror.files import forget_code_digests

    forget_code_digests()  # hashed once a command, by whichever of its caches asks first
    for stream in (sys.stdout, sys.stderr):  # a terminal or pipe that cannot show a title's letters gets \N escapes
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    parser = make_parser()
    args = parser.parse_args(search_words_last(list(sys.argv[1:] if argv is None else argv)))
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    handler = logging.StreamHandler()
    handler.setFormatter(MessageFormatter())
    # (serve's rebuilds go on for hours: a kind shown 100 times would never be shown again)
    alike = AlikeWarnings(sys.maxsize if args.verbose or args.run is run_serve_command else MOST_ALIKE_WARNINGS)
    handler.addFilter(alike)
    from multiprocessing import util

    util.register_after_fork(alike, AlikeWarnings.in_worker)  # (after multiprocessing clears its finalizers there)
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        return run_command(args)
    finally:
        alike.say_held()


def run_command(args: argparse.Namespace) -> int:
    """Run the command `args` name; return its exit status (a user's mistake said in one line, not a traceback)."""
    from papermirror.processes import Terminated

    try:
        config = load_config(args.config)
        from papermirror.files import check_content_dir

        check_content_dir(config.content_dir, missing_ok=True)  # a file there: each command said something else
        return args.run(config, args)
    except UserError as exc:
        print(shown(f"error: {exc}"), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (Terminated)
        print("interrupted: every file written so far is complete; run again to carry on", file=sys.stderr)
        return 143 if isinstance(exc, Terminated) else 130
    except BrokenPipeError:  # `build.py status | head`: the reader left; say nothing more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:
        if exc.errno not in DISK_ERRORS | PATH_ERRORS:
            raise
        where = f"{exc.filename}: " if exc.filename else ""
        fix = "fix the path (a folder it writes to missing or a file, a link that loops, a name too long)" \
            if exc.errno in PATH_ERRORS else \
            "free some space or fix the permission"
        print(shown(f"error: {where}{exc.strerror}; every file written before it is whole (old or new): {fix}, then run "
              "the command again"), file=sys.stderr)
        return 1


def exit_now_if_stopped(code: int) -> None:
    """After a run stopped by Ctrl-C or SIGTERM, end the process now: a thread may still wait on a request in flight
    (closing its connection does not wake a read blocked on it), which the interpreter would wait for on exit,
    up to the hub's answer or the timeout, past the few seconds a CI runner gives before SIGKILL. Every file the
    run keeps, the hub's record of requests included, is written by then."""
    from papermirror.processes import STOP

    if STOP.is_set():
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":
    status = main()
    exit_now_if_stopped(status)
    # What the run made is freed as the interpreter ends, without a last collection looking through all of it for
    # cycles: 60-80 ms of a 1 s daily build of 1,000 papers (benchmarks/README.md, "The daily build's fixed costs").
    gc.freeze()
    sys.exit(status)
