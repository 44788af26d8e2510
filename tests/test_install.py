"""A plain, non-editable install renders the same PDFs as the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from worksheets_lib import demo_client_path, load_client, render_packet

ROOT = Path(__file__).resolve().parent.parent

RENDER = """
import sys, worksheets_lib
from worksheets_lib import demo_client_path, load_client, render_packet, templates_dir
print(worksheets_lib.__file__)
print(templates_dir())
render_packet(load_client(demo_client_path()), sys.argv[1])
"""


def test_wheel_ships_templates_and_renders_the_same_packet_as_the_checkout(tmp_path):
    wheels, target = tmp_path / "wheels", tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels),
                    str(ROOT)], check=True, capture_output=True)
    (wheel,) = wheels.glob("worksheets-*.whl")
    subprocess.run([*pip, "install", "--no-deps", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)

    installed_pdf = tmp_path / "installed.pdf"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run([sys.executable, "-c", RENDER, str(installed_pdf)], cwd=outside,
                         env=env, check=True, capture_output=True, text=True)
    module_file, templates = run.stdout.splitlines()[:2]
    # The installed copy was used, with the templates inside the package.
    assert Path(module_file).is_relative_to(target)
    assert Path(templates) == target / "worksheets_lib" / "worksheet_templates"
    assert (Path(templates) / "fonts" / "WorksheetsSans-Regular.ttf").is_file()

    checkout_pdf = tmp_path / "checkout.pdf"
    render_packet(load_client(demo_client_path()), checkout_pdf)
    assert installed_pdf.read_bytes() == checkout_pdf.read_bytes()
