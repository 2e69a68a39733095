"""Regenerate the shipped content/: the real snapshot, run against a loopback replay of the recorded days.

    python tests/replay.py                         # content/ from mirror.yml and all 580 recorded days
    python tests/replay.py --config FILE           # the topic rule of another mirror.yml (e.g. HEAD's)
    python tests/replay.py --output DIR            # write somewhere else than the content/ beside the config
    python tests/replay.py --stand-in-queries      # also ask mirror.yml's queries of the fake hub's keyword stand-in

It serves tests/data/daily_papers.jsonl.gz (580 real days of /api/daily_papers, 2024-05-27 ..
2026-08-21) with tests/fakehub.py on 127.0.0.1 and runs `run_snapshot`, the function behind
`python build.py snapshot --since 2024-05-27 --until 2026-08-21`, on an empty archive: what a fork's
first backfill of those days makes of the Daily Papers feed. Three things differ from the CLI:

- mirror.yml's topic searches (`listing.queries`) are not asked: no answer of HF's semantic search was
  recorded, and the fake hub's keyword stand-in for it (every word of the query somewhere in the text,
  most upvoted first) would file popular off-topic papers under queries HF never answered with them.
  The ledger says the queries were never fetched; the first real snapshot asks them.
  `--stand-in-queries` asks them of the stand-in anyway (never for the shipped content/);
- the clock is fixed at REPLAY_NOW (every `first_seen`, `refreshed` and ledger time), so a second run
  gives the same bytes;
- the client has no rate limit (the replay is local).
The result replaces DIR's paper files and DIR/ledger.yml once the run has succeeded (DIR: `--output`, else the
content/ folder beside the config, as `build.py --config` works on the mirror of that folder). Only what a replay
makes is replaced without asking: an archive a real snapshot fetched (its ledger says so, or it has papers and no
ledger) is replaced only with `--yes`. Files in DIR/papers that are not papers stay, and a paper's notes are carried
over (a paper with notes the replay does not keep stays, with its notes); each is named.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import logging
import shutil
import signal
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from fakehub import BUNDLE, FakeHub, load_bundle  # noqa: E402

from papermirror.config import load_config  # noqa: E402
from papermirror.content.ledger import read_ledger  # noqa: E402
from papermirror.content.paperfile import read_paper, write_paper  # noqa: E402
from papermirror.errors import UserError  # noqa: E402
from papermirror.fetch.hub import Hub, RateLimiter  # noqa: E402
from papermirror.fetch.snapshot import Summary, run_snapshot  # noqa: E402
from papermirror.ops.reset import other_files, paper_files  # noqa: E402

REPLAY_NOW = dt.datetime(2026, 8, 21, 8, 0, tzinfo=dt.timezone.utc)
"""The fixed clock of the replay: the morning of the last recorded day, after its recording (07:50 UTC)."""


def replay(config_file: Path, output: Path, days: dict[str, list[dict]], progress: bool = False,
           stand_in_queries: bool = False) -> Summary:
    """Snapshot `days` with the rule of `config_file` into an empty archive; on success it replaces `output`'s.
    The config's queries are asked (of the fake hub's keyword stand-in) only with `stand_in_queries`."""
    load_config(config_file)  # a mistake in it named by that file, not by the temporary copy the replay reads
    with tempfile.TemporaryDirectory(prefix="replay-") as tmp:
        mirror = Path(tmp)
        (mirror / "mirror.yml").write_bytes(config_file.read_bytes())
        config = load_config(mirror / "mirror.yml")
        if not config.listing.daily and not stand_in_queries:
            raise UserError(f"{config_file}: listing.daily is false, and the recording holds Daily Papers days only (no "
                            "answer of HF's search): nothing to replay; --stand-in-queries asks the queries of the fake "
                            "hub's keyword stand-in")
        if not stand_in_queries:  # no answer of HF's search was recorded (module docstring)
            config = config.model_copy(update={"listing": config.listing.model_copy(update={"queries": ()})})
        # from listing.since on, as a snapshot backfills (the ledger and the about page count those days only)
        since, until = max(dt.date.fromisoformat(min(days)), config.listing.since), dt.date.fromisoformat(max(days))
        with FakeHub(days=days) as fake, Hub(endpoint=fake.url) as hub:
            hub.limiter = RateLimiter(calls=10**9, period=1.0)  # a loopback replay has no quota
            summary = run_snapshot(config, hub, since=since, until=until, now=REPLAY_NOW, progress=progress)
        if not summary.failures:
            for what in replace_archive(config.content_dir, output):
                logging.getLogger("replay").warning("replay: kept %s", what)
    return summary


def replace_archive(source: Path, output: Path) -> list[str]:
    """Put source's paper files and ledger.yml in place of output's; return what stayed of output's, named. Other files
    of output/papers stay (an owner's README.md), and so do a paper's notes: copied into the replay's file of the
    paper, or its old file kept when the replay did not keep it. A rule that kept no paper leaves output without
    papers (an empty archive), not with the papers of the rule before."""
    output.mkdir(parents=True, exist_ok=True)
    papers = paper_files(output)
    kept = [f"{rel} (not a paper file)" for rel in other_files(output, papers)]
    old_papers = {rel: read_paper(output / rel) for rel in papers}  # all read first: one that fails changes nothing
    for rel, old in sorted((rel, old) for rel, old in old_papers.items() if old.notes):  # into the replay's archive
        if (source / rel).exists():
            write_paper(source, dataclasses.replace(read_paper(source / rel), notes=old.notes))
            kept.append(f"{rel}: its notes")
        else:
            write_paper(source, old)
            kept.append(f"{rel} (a paper the rule does not keep, with your notes)")
    # Then the swap, Ctrl-C and SIGTERM held until it ends: stopped half-way, it left 3 papers of 513, one of them
    # cut short, the old ledger and no notes (the ops review). (Held by the handlers, which Python runs in this
    # thread: a signal mask would hold them from this thread only, and another would take them.)
    received: list[int] = []
    handlers = {signum: signal.signal(signum, lambda signum, _frame: received.append(signum))
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        for rel in papers:
            (output / rel).unlink()
        if (source / "papers").is_dir():
            shutil.copytree(source / "papers", output / "papers", dirs_exist_ok=True)
        if (source / "ledger.yml").is_file():
            shutil.copy2(source / "ledger.yml", output / "ledger.yml")
        else:
            (output / "ledger.yml").unlink(missing_ok=True)
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
    if received:  # the swap was the replay's last step: done, and said
        logging.getLogger("replay").warning("replay: asked to stop while the archive was put in place: it is in place, "
                                            "whole")
    return kept


def fetched_for_real(output: Path) -> bool:
    """Whether a real snapshot fetched the archive in `output`, as far as its ledger tells: an entry fetched at another
    time than REPLAY_NOW (papers or none: a ledger of days fetched is a snapshot's work too), or papers and no ledger."""
    if not (output / "ledger.yml").is_file():
        return bool(paper_files(output))
    ledger = read_ledger(output)
    replayed = REPLAY_NOW.strftime("%Y-%m-%dT%H:%M:%SZ")
    return any(entry.get("fetched") != replayed for entry in [*ledger.days.values(), *ledger.queries.values()])


def stop(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "mirror.yml", help="the topic rule (default: the repo's mirror.yml)")
    parser.add_argument("--output", type=Path, help="the archive to replace (default: the content/ folder beside --config)")
    parser.add_argument("--yes", action="store_true", help="replace an archive a real snapshot fetched, too")
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the recorded days (default: %(default)s)")
    parser.add_argument("--stand-in-queries", action="store_true",
                        help="also ask mirror.yml's queries, answered by the fake hub's keyword stand-in for HF's search")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    signal.signal(signal.SIGTERM, stop)  # as Ctrl-C: the replay's temp folder is removed (SIGTERM left it)
    args.output = args.output or args.config.resolve().parent / "content"
    try:
        if not args.config.is_file():  # a traceback (the ops review)
            raise UserError(f"{args.config}: no such file (--config names a mirror.yml)")
        if args.output.exists() and not args.output.is_dir():  # a traceback, after the whole replay
            raise UserError(f"{args.output}: not a folder (--output names the archive's content/ folder)")
        if fetched_for_real(args.output) and not args.yes:  # papers or only a ledger (the ops review: a ledger alone)
            raise UserError(f"{args.output} holds an archive a real snapshot fetched ({len(paper_files(args.output))} "
                            "papers; its ledger.yml says so, or it has none): a replay would replace it. Nothing changed; "
                            "pass --output another folder, or --yes to replace it")
        summary = replay(args.config, args.output, load_bundle(args.bundle), sys.stderr.isatty(), args.stand_in_queries)
    except UserError as exc:
        print(f"replay: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # before the swap (which holds signals until it ends): the archive is as it was
        print(f"replay: interrupted; {args.output} is unchanged", file=sys.stderr)
        return 130
    print(f"replay: {summary.line()}; {summary.skipped} items skipped")
    for failure in summary.failures:
        print(f"replay: FAILED {failure}; {args.output} is unchanged", file=sys.stderr)
    if not summary.failures:
        print(f"replay: {summary.archive_size} papers in {args.output}")
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
