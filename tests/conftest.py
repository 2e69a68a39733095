"""Shared fixtures: a loopback fake hub, a mirror folder in tmp_path, and the CLI run in-process."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]

from fakehub import FakeHub  # noqa: E402

import build  # noqa: E402

MIRROR_YML = """\
site:
  title: Test mirror
  base_url: https://example.org/mirror/
listing:
  queries: [masked autoencoder]
  include: [pre-training, pretraining, multi-scale]
  since: 2024-05-01
  refresh_days: 3
"""


@pytest.fixture
def fake_hub(monkeypatch: pytest.MonkeyPatch):
    """A running fake hub serving the recorded days; HF_ENDPOINT points at it."""
    with FakeHub() as hub:
        monkeypatch.setenv("HF_ENDPOINT", hub.url)
        monkeypatch.delenv("HF_TOKEN", raising=False)
        yield hub


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    """A fresh mirror folder: mirror.yml, an empty content/, and the repo's layouts/."""
    (tmp_path / "mirror.yml").write_text(MIRROR_YML, encoding="utf-8")
    (tmp_path / "content").mkdir()
    if (ROOT / "layouts").is_dir():
        shutil.copytree(ROOT / "layouts", tmp_path / "layouts")
    return tmp_path


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture):
    """Run `build.py` in-process; return (exit code, stdout, stderr)."""

    def run(*args: str, config: Path | None = None) -> tuple[int, str, str]:
        argv = (["--config", str(config)] if config else []) + list(args)
        code = build.main(argv)
        out, err = capsys.readouterr()
        return code, out, err

    return run


SHIPPED_MIRROR_YML = Path(__file__).parent / "data" / "shipped" / "mirror.yml"
"""The shipped topic rule as the tests know it: the repo's mirror.yml may be a fork's own."""


@pytest.fixture(scope="session")
def shipped_content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped archive, made once a session as README's "The shipped archive" makes content/: the real
    snapshot of the 580 recorded days through SHIPPED_MIRROR_YML's rule (tests/replay.py). Not the repo's
    content/, which a fork resets and fills with its own topic's papers."""
    from fakehub import load_bundle
    from replay import replay

    output = tmp_path_factory.mktemp("shipped") / "content"
    summary = replay(SHIPPED_MIRROR_YML, output, load_bundle())
    assert not summary.failures and summary.skipped == 0, summary
    return output


@pytest.fixture
def shipped(mirror: Path, shipped_content: Path) -> Path:
    """The mirror folder holding a copy of the shipped archive (`shipped_content`)."""
    shutil.rmtree(mirror / "content")
    shutil.copytree(shipped_content, mirror / "content")
    return mirror
