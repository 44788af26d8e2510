"""The therapist workbooks in a real browser (Voilà, Debian's Chromium): every step of every
workbook, on a laptop and on a phone, has no critical or serious axe-core violation in
our own forms, fits the screen, and Next brings the new step's heading into view with
the keyboard focus on it."""

from __future__ import annotations

import json

import pytest
from support.browser import SCREENS, axe_violations, horizontal_overflow, launch, serve_voila

from worksheets_lib import (
    Goal,
    GoalPlan,
    PlanStep,
    demo_client_path,
    load_client,
    open_casebook,
)

WORKBOOKS = {"history_mapping": 6, "goal_setting": 6, "progress_review": 1}


def notebook(function: str) -> dict:
    source = (f"from worksheets_lib.widgets import {function}\n"
              f"{function}('alex-rivera')")
    return {"cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                       "outputs": [], "source": source}],
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                        "language": "python"}, "title": "Workbook"},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("workbooks")
    casebook = folder / "casebook.sqlite3"
    with open_casebook(casebook, create=True) as book:
        book.add_client(load_client(demo_client_path()))
        book.save_plan("alex-rivera", GoalPlan(vision="Feeling safe together", goals=[
            Goal(goal="Ask for time together calmly", steps=[PlanStep(what="Ask once")],
                 check_in="each session")]))
    paths = {}
    for name in WORKBOOKS:
        path = folder / f"{name}.ipynb"
        path.write_text(json.dumps(notebook(name)), encoding="utf-8")
        paths[name] = path
    yield paths, casebook


@pytest.fixture(scope="module")
def browser():
    with launch() as chromium:
        yield chromium


@pytest.mark.parametrize("screen", ["laptop", "phone"])
@pytest.mark.parametrize("name", list(WORKBOOKS))
def test_every_step_passes_axe_and_fits_the_screen(served, browser, name, screen):
    paths, casebook = served
    with serve_voila(paths[name], {"WORKSHEETS_CASEBOOK": str(casebook)}) as address:
        context = browser.new_context(**SCREENS[screen])
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(address)
        page.locator(".ws-workbook").first.wait_for()
        problems = {}
        for step in range(WORKBOOKS[name]):
            page.wait_for_timeout(400)
            found = axe_violations(page, ".ws-workbook")
            if found:
                problems[f"step {step + 1}"] = found
            wide = horizontal_overflow(page)
            if wide:
                problems[f"step {step + 1} overflow"] = wide
            if step + 1 < WORKBOOKS[name]:
                if name == "goal_setting" and step == 4:
                    page.get_by_label("I checked these words with the client").check()
                next_button = page.get_by_role("button", name="Next")
                # Lab's panel scrolls, not the page: Playwright's own scroll before a
                # click sometimes misses it and clicks the preview frame instead.
                next_button.scroll_into_view_if_needed()
                next_button.click()
                page.wait_for_function(
                    "n => document.activeElement && document.activeElement.tagName === 'H3'"
                    " && document.activeElement.id.endsWith('-' + n)", arg=step + 2)
                top = page.evaluate("document.activeElement.getBoundingClientRect().top")
                assert -2 <= top < page.viewport_size["height"], f"step {step + 2} heading"
        context.close()
    assert problems == {}
