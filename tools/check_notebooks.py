"""Fail when a notebook carries outputs, execution counts or saved widget state.

Used by the pre-commit hook (`.githooks/pre-commit`) and by the test suite:
a notebook's outputs may hold a client's words, so none are committed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def problems(path: Path) -> list[str]:
    """What makes *path* unfit to commit (empty when it is clean)."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        return [f"{path}: not readable as a notebook ({error.__class__.__name__})"]
    found = []
    for number, cell in enumerate(notebook.get("cells", []), start=1):
        if cell.get("outputs"):
            found.append(f"{path}: cell {number} has outputs")
        if cell.get("execution_count") is not None:
            found.append(f"{path}: cell {number} has an execution count")
    if "widgets" in notebook.get("metadata", {}):
        found.append(f"{path}: has saved widget state")
    return found


def main(paths: list[str]) -> int:
    found = [p for path in paths for p in problems(Path(path))]
    for line in found:
        print(line, file=sys.stderr)
    if found:
        print("Strip them first: nbstripout FILE (or ./run hooks once).", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
