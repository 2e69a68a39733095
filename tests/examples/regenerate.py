#!/usr/bin/env python3
"""Redraw tests/examples/expected/ from tests/examples/mirror after an intended change to the pages.

    python tests/examples/regenerate.py && git diff --stat tests/examples/expected

Review the diff as you would review the change itself: it is what every reader of the site will see.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from golden import EXPECTED, build_example, site_files  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        files = site_files(build_example(Path(workdir)))
    shutil.rmtree(EXPECTED, ignore_errors=True)
    for name, data in files.items():
        target = EXPECTED / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    print(f"wrote {len(files)} files to {EXPECTED}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
