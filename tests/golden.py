"""Refresh the golden copy of content/: ``python -m tests.golden``."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest import GOLDEN, ROOT, make_project, run_digest  # noqa: E402


def refresh() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp) / "digest", bundled=True)
        # The checkout's generator/, the code being changed, even where .venv holds an
        # older installed copy (scripts/test installs without -e).
        result = run_digest(root, "generate", env={**os.environ, "PYTHONPATH": str(ROOT)})
        if result.returncode:
            sys.exit(result.stderr)
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(root / "content", GOLDEN)
    print(f"refreshed {GOLDEN}")


if __name__ == "__main__":
    refresh()
