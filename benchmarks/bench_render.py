"""Print how long making PDFs takes (medians in milliseconds, and ratios).

A script, not a test: timings depend on the machine, so nothing here passes
or fails. Run it with ``./run bench`` (or ``.venv/bin/python benchmarks/bench_render.py``).

What it measures, all for the fictional demo client:
  1. one single-page worksheet (the listening checklist), warm: the process
     has rendered before, as in a notebook or a long-running app;
  2. the three-worksheet packet, warm;
  3. a cold ``worksheets render`` process, start to exit;
  4. one edit in the goal-setting ladder builder (re-sort, gap prompts, live
     HTML preview), which the issue wants within 50 ms;
  5. the baseline: plain WeasyPrint with default options (its own font
     subsetting) and a system font (DejaVu Sans) on the same HTML.
  6. the versions of issue 12, for one page and for the packet, each as a
     ratio to the same render untagged and not fillable ("plain"): tagged (the
     default now), fillable and tagged, large print, fillable in large print.
It also says whether WeasyPrint found HarfBuzz's subsetter on this machine
(``libharfbuzz-subset0``); our renders never subset, so they should not care.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from worksheets_lib import (
    demo_client_path,
    load_client,
    render_packet,
    render_worksheet,
    templates_dir,
    worksheet_html,
)

SINGLE_PAGE = "listening"


def median_ms(action, runs: int, warmup: int = 2) -> float:
    """Median wall time of *action* in milliseconds, after *warmup* untimed runs."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def harfbuzz_subset_present() -> bool:
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None


def baseline_action(html: str, out: Path):
    """Plain WeasyPrint: default options, the system's DejaVu Sans, no caches."""
    import weasyprint

    css = (templates_dir() / "print.css").read_text(encoding="utf-8")
    css = css[css.index("@page {"):]  # drop our @font-face rules
    css = css.replace('"Worksheets Sans", "Worksheets Sans Extended", "Worksheets Symbols"',
                      '"DejaVu Sans"')
    base = templates_dir().as_uri() + "/"

    def action():
        sheet = weasyprint.CSS(string=css, base_url=base)
        weasyprint.HTML(string=html, base_url=base).write_pdf(out, stylesheets=[sheet])

    return action


def ladder_edit_action(client, tmp: Path):
    """One edit in the ladder builder: change a distress, re-sort, re-render the preview."""
    from worksheets_lib.widgets.ladder import LadderBuilder

    builder = LadderBuilder()
    builder.load(client)
    row = builder.rows[0]
    values = iter(range(10**9))

    def action():
        row.distress.value = next(values) % 50  # the observer re-sorts and re-previews

    return action


@contextlib.contextmanager
def untagged():
    """Renders without PDF tags (as before issue 12), to compare with."""
    from worksheets_lib import pdf

    saved = pdf.PDF_OPTIONS
    pdf.PDF_OPTIONS = {k: v for k, v in saved.items() if k != "pdf_variant"}
    try:
        yield
    finally:
        pdf.PDF_OPTIONS = saved


def version_rows(client, tmp: Path, runs: int) -> list[tuple[str, float, float]]:
    """(label, median ms, ratio to plain) for each version of one page and of the packet."""
    from worksheets_lib.documents import render_document

    rows = []
    for name, what, count in ((SINGLE_PAGE, "one page", runs),
                              ("packet", "packet", max(5, runs // 3))):
        def timed(name=name, count=count, **options):
            return median_ms(lambda: render_document(name, client, tmp / "v.pdf", **options),
                             count, warmup=1)

        with untagged():
            plain = timed(large_print=False)
        rows.append((f"{what}: plain (untagged, not fillable)", plain, 1.0))
        for label, options in (("tagged", {"large_print": False}),
                               ("fillable + tagged", {"fillable": True, "large_print": False}),
                               ("large print + tagged", {"large_print": True}),
                               ("fillable + large print + tagged",
                                {"fillable": True, "large_print": True})):
            value = timed(**options)
            rows.append((f"{what}: {label}", value, value / plain))
    return rows


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed runs per warm measurement")
    parser.add_argument("--cold-runs", type=int, default=5, help="timed cold processes")
    args = parser.parse_args(argv)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # the baseline warns

    client = load_client(demo_client_path())
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        single = median_ms(lambda: render_worksheet(SINGLE_PAGE, client, tmp / "one.pdf"),
                           args.runs)
        rows.append((f"one worksheet ({SINGLE_PAGE}, 1 page), warm", single))
        packet = median_ms(lambda: render_packet(client, tmp / "packet.pdf"),
                           max(5, args.runs // 3))
        pages = render_packet(client, tmp / "packet.pdf").pages
        rows.append((f"packet of 3 worksheets ({pages} pages), warm", packet))

        command = [str(Path(sys.executable).parent / "worksheets"), "render", SINGLE_PAGE,
                   "--client", str(demo_client_path()), "--out", str(tmp / "cold.pdf")]
        cold = median_ms(lambda: subprocess.run(command, check=True, capture_output=True),
                         args.cold_runs, warmup=1)
        rows.append(("cold `worksheets render` process", cold))

        preview = median_ms(ladder_edit_action(client, tmp), args.runs)
        rows.append(("goal-setting ladder builder: one edit + live preview", preview))

        html = worksheet_html(SINGLE_PAGE, client)
        baseline = median_ms(baseline_action(html, tmp / "base.pdf"),
                             max(5, args.runs // 3), warmup=1)
        rows.append(("baseline: plain WeasyPrint, default options, DejaVu Sans", baseline))
        versions = version_rows(client, tmp, args.runs)

    print(f"WeasyPrint found libharfbuzz-subset: {'yes' if harfbuzz_subset_present() else 'no'}")
    print(f"{'measurement':<58} {'median ms':>10} {'x baseline':>11}")
    for label, value in rows:
        print(f"{label:<58} {value:>10.1f} {value / baseline:>11.2f}")
    print(f"one worksheet is {baseline / single:.1f} times faster than the baseline")
    print()
    print(f"{'issue 12 versions':<58} {'median ms':>10} {'x plain':>11}")
    for label, value, ratio in versions:
        print(f"{label:<58} {value:>10.1f} {ratio:>11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
