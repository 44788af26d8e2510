"""Test set-up shared by the unit tests and the notebooks that nbval runs.

nbval starts each notebook's kernel from this process, so the kernel inherits
``WORKSHEETS_CASEBOOK``: a temporary casebook holding only the fictional demo
client. Unit tests do not see it (``tests/conftest.py`` removes it for each
test), and a developer's own casebook is never touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

_FOLDERS: list[Path] = []


def pytest_configure(config):
    from worksheets_lib import demo_client_path, load_client, open_casebook

    folder = Path(tempfile.mkdtemp(prefix="worksheets-nbval-"))
    _FOLDERS.append(folder)
    path = folder / "casebook.sqlite3"
    with open_casebook(path, create=True) as casebook:
        casebook.add_client(load_client(demo_client_path()))
    os.environ["WORKSHEETS_CASEBOOK"] = str(path)
    os.environ["WORKSHEETS_CLIENT_ID"] = "alex-rivera"  # what `worksheets journal` sets
    os.environ["MPLBACKEND"] = "Agg"


def pytest_unconfigure(config):
    for folder in _FOLDERS:
        shutil.rmtree(folder, ignore_errors=True)
