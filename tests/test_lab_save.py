"""JupyterLab as ``./run lab`` starts it saves the workbooks clean.

A real Jupyter server with the project's config gets a notebook full of
outputs, execution counts and widget state through its REST API (what Lab's
autosave sends); the file written has none of them, and its cells are intact.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from test_notebooks_clean import check_notebooks

from worksheets_lib.journal_server import free_port
from worksheets_lib.lab_hooks import config_file, strip

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Words a client said in session"


def test_run_lab_uses_the_config_with_the_hook():
    run = (ROOT / "run").read_text(encoding="utf-8")
    start = run.index("\n  lab)")
    lab = run[start:run.index(";;", start)]
    assert "--config=worksheets_lib/jupyter_data/lab_config.py" in lab
    assert (ROOT / "worksheets_lib/jupyter_data/lab_config.py").resolve() == Path(
        config_file()).resolve()


def test_strip_keeps_sources_and_tags_and_drops_the_rest():
    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Title"},
        {"cell_type": "code", "metadata": {"tags": ["parameters"], "execution": {"x": 1}},
         "execution_count": 4, "source": "client_id = None",
         "outputs": [{"output_type": "stream", "name": "stdout", "text": SECRET}]}],
        "metadata": {"widgets": {"application/vnd.jupyter.widget-state+json": {}},
                     "kernelspec": {"name": "python3"}}}
    strip(notebook)
    code = notebook["cells"][1]
    assert (code["outputs"], code["execution_count"], code["metadata"]) == (
        [], None, {"tags": ["parameters"]})
    assert notebook["metadata"] == {"kernelspec": {"name": "python3"}}
    assert notebook["cells"][0] == {"cell_type": "markdown", "metadata": {},
                                    "source": "# Title"}


@pytest.fixture
def lab(tmp_path):
    """``jupyter lab`` with the project's config on a free port: (address, token, folder)."""
    folder = tmp_path / "workbooks"
    folder.mkdir()
    token = secrets.token_hex(16)
    port = free_port()
    jupyter = Path(sys.executable).with_name("jupyter")
    server = subprocess.Popen(
        [str(jupyter), "lab", f"--config={config_file()}", f"--notebook-dir={folder}",
         "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")})
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{address}/api/status?token={token}", timeout=5).read()
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail("JupyterLab did not start: " + server.stderr.read()[-2000:])
            time.sleep(0.3)
    try:
        yield address, token, folder
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stderr.close()


def api(address: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(
        f"{address}/api/contents/{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


@pytest.mark.parametrize("name", ["history_mapping.ipynb", "client_journal.ipynb"])
def test_a_notebook_saved_from_lab_has_no_outputs_counts_or_widget_state(lab, name):
    address, token, folder = lab
    shutil.copyfile(ROOT / "workbooks" / name, folder / name)
    model = api(address, token, name)
    notebook = model["content"]
    sources = [cell["source"] for cell in notebook["cells"]]
    for cell in notebook["cells"]:  # as after running it in Lab
        if cell["cell_type"] == "code":
            cell["execution_count"] = 3
            cell["outputs"] = [
                {"output_type": "stream", "name": "stdout", "text": SECRET},
                {"output_type": "display_data", "metadata": {},
                 "data": {"text/plain": "VBox()", "application/vnd.jupyter.widget-view+json":
                          {"model_id": "abc", "version_major": 2, "version_minor": 0}}}]
    notebook["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "state": {"abc": {"state": {"value": SECRET}}}, "version_major": 2,
        "version_minor": 0}}
    api(address, token, name, "PUT", {"type": "notebook", "format": "json",
                                      "content": notebook})
    saved = folder / name
    assert check_notebooks.problems(saved) == []
    assert SECRET not in saved.read_text(encoding="utf-8")
    again = json.loads(saved.read_text(encoding="utf-8"))
    assert ["".join(cell["source"]) for cell in again["cells"]] == sources
    original = json.loads((ROOT / "workbooks" / name).read_text(encoding="utf-8"))
    assert [c["metadata"] for c in again["cells"]] == [c["metadata"] for c in original["cells"]]
