"""The committed notebooks carry no outputs, execution counts or widget state."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "workbooks").glob("*.ipynb"))
spec = importlib.util.spec_from_file_location("check_notebooks",
                                              ROOT / "tools" / "check_notebooks.py")
check_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_notebooks)


def test_the_two_therapist_workbooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"history_mapping.ipynb", "goal_setting.ipynb"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_notebook_has_no_outputs_counts_or_widget_state(notebook):
    assert check_notebooks.problems(notebook) == []


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_thin_with_a_parameters_cell(notebook):
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    assert sum(len("".join(c["source"]).splitlines()) for c in code) <= 10


def test_the_check_finds_outputs_counts_and_widget_state(tmp_path):
    dirty = {"cells": [{"cell_type": "code", "source": "1", "metadata": {},
                        "execution_count": 3,
                        "outputs": [{"output_type": "stream", "text": "hi"}]}],
             "metadata": {"widgets": {"state": {}}}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "dirty.ipynb"
    path.write_text(json.dumps(dirty), encoding="utf-8")
    found = check_notebooks.problems(path)
    assert len(found) == 3
    assert check_notebooks.main([str(path)]) == 1
