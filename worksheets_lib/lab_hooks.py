"""JupyterLab saves the workbooks clean: no outputs, execution counts or widget state.

Outputs can hold a client's words, and saved widget state only brings back
"Error displaying widget: model not found" when the notebook is opened again.
``./run lab`` starts JupyterLab with ``jupyter_data/lab_config.py``, which sets
:func:`strip_outputs` as the contents manager's pre-save hook: every save, by
hand or by Lab's autosave, writes the notebook as it is committed.
"""

from __future__ import annotations

from typing import Any


def config_file() -> str:
    """The file ``./run lab`` passes to ``jupyter lab --config``."""
    from pathlib import Path

    return str(Path(__file__).with_name("jupyter_data") / "lab_config.py")


def strip(notebook: dict[str, Any]) -> dict[str, Any]:
    """Remove outputs, execution counts and widget state from *notebook* (in place)."""
    for cell in notebook.get("cells") or []:
        if not isinstance(cell, dict):
            continue
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        metadata = cell.get("metadata")
        if isinstance(metadata, dict):
            metadata.pop("execution", None)  # run times, kept by some Lab settings
    metadata = notebook.get("metadata")
    if isinstance(metadata, dict):
        metadata.pop("widgets", None)
    return notebook


def strip_outputs(model: dict[str, Any], **_kwargs: Any) -> None:
    """Jupyter Server pre-save hook: a notebook is written without outputs or state."""
    if model.get("type") == "notebook" and isinstance(model.get("content"), dict):
        strip(model["content"])
