"""Opening a casebook file directly in a test: the casebook's own SQLite, and its key.

Tests that plant, damage or hold a casebook open it here, never with the
standard library's ``sqlite3``: two copies of SQLite in one process do not
see each other's locks. When the suite runs with encrypted casebooks, a file
that is not plain SQLite is opened with the test key.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

from worksheets_lib.casebook import driver, keys, opening


def connect(target: str | os.PathLike, uri: bool = False, **options) -> driver.Connection:
    return driver.connect(target, key_for(target, uri), uri=uri, **options)


def key_for(target: str | os.PathLike, uri: bool = False) -> keys.Key | None:
    key = keys.from_environment()
    if key is None or str(target) == ":memory:":
        return None
    path = Path(unquote(str(target)[len("file:"):].split("?")[0])) if uri else Path(target)
    if not path.exists() or path.stat().st_size == 0:
        return None
    return None if opening.opens(path, None) else key
