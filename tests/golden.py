"""The golden example: build tests/examples/mirror into a folder and compare it with expected/.

Used by tests/test_golden.py (compare) and tests/examples/regenerate.py (redraw expected/).
"""

from __future__ import annotations

import difflib
import gzip
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "tests" / "examples" / "mirror"
EXPECTED = ROOT / "tests" / "examples" / "expected"
LEFT_OUT = ("static/",)
"""Copied byte for byte from layouts/static/ (checked apart): left out so expected/ holds only what is drawn."""
REGENERATE = "python tests/examples/regenerate.py"


def build_example(workdir: Path) -> Path:
    """Copy the example mirror and the repo's layouts into `workdir`, build it (no search index); return site/."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import build

    shutil.copy(EXAMPLE / "mirror.yml", workdir / "mirror.yml")
    shutil.copytree(EXAMPLE / "content", workdir / "content")
    shutil.copytree(ROOT / "layouts", workdir / "layouts")
    code = build.main(["--quiet", "--config", str(workdir / "mirror.yml"), "build", "--no-index", "--jobs", "1"])
    if code != 0:
        raise RuntimeError(f"building the golden example failed with exit code {code}")
    return workdir / "site"


def site_files(site: Path, unpack: bool = False) -> dict[str, bytes]:
    """Every file of a built site but LEFT_OUT, by POSIX path; with `unpack`, a gzipped file by what it holds
    (gzip's bytes may differ between zlib versions, what they hold may not)."""
    files = {}
    for path in sorted(site.rglob("*")):
        name = path.relative_to(site).as_posix()
        if path.is_file() and not name.startswith(LEFT_OUT):
            data = path.read_bytes()
            files[name] = gzip.decompress(data) if unpack and name.endswith(".gz") else data
    return files


def describe_difference(name: str, expected: bytes, actual: bytes, lines: int = 40) -> str:
    """A short unified diff of one file, for a failing test's message."""
    diff = difflib.unified_diff(expected.decode("utf-8", "replace").splitlines(),
                                actual.decode("utf-8", "replace").splitlines(),
                                f"expected/{name}", f"built/{name}", lineterm="", n=1)
    return "\n".join(list(diff)[:lines])
