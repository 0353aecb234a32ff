"""Refresh the golden copy of content/: ``python -m tests.golden``."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from conftest import make_project, run_digest  # noqa: E402

GOLDEN = Path(__file__).parent / "golden" / "content"


def refresh() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_project(Path(tmp) / "digest", bundled=True)
        result = run_digest(root, "generate")
        if result.returncode:
            sys.exit(result.stderr)
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(root / "content", GOLDEN)
    print(f"refreshed {GOLDEN}")


if __name__ == "__main__":
    refresh()
