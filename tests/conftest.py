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


@pytest.fixture
def shipped(mirror: Path) -> Path:
    """The mirror folder holding a copy of the repo's shipped content/."""
    shutil.rmtree(mirror / "content")
    shutil.copytree(ROOT / "content", mirror / "content")
    return mirror
