"""Where the bundled files live, in a checkout and in an installed wheel.

In a checkout the template and example folders sit beside the package; the
wheel carries them inside the package (see ``pyproject.toml``), so a plain
``pip install .`` renders the same PDFs as the checkout.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _bundled(folder: str) -> Path:
    inside = _PACKAGE / folder
    return inside if inside.is_dir() else _PACKAGE.parent / folder


def templates_dir() -> Path:
    """The built-in ``worksheet_templates`` folder."""
    return _bundled("worksheet_templates")


def examples_dir() -> Path:
    """The ``examples`` folder with the fictional demo client."""
    return _bundled("examples")


def demo_client_path() -> Path:
    """The annotated client file of the fictional demo client."""
    return examples_dir() / "alex-rivera.yaml"


def journal_app_path() -> Path:
    """The client's journal notebook, served as an app by ``worksheets journal``."""
    inside = _PACKAGE / "apps" / "client_journal.ipynb"
    return inside if inside.is_file() else _PACKAGE.parent / "workbooks" / "client_journal.ipynb"


def voila_data_dir() -> Path:
    """A Jupyter data folder holding the journal app's Voilà page template."""
    return _PACKAGE / "jupyter_data"
