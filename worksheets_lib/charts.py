"""Charts for the workbooks (matplotlib): the history timeline.

Figures are made with the object API (no global pyplot state), so they work
in a notebook, in Voilà and in tests without a display.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from .models import HistoryMap

INK, ACCENT, SOFT = "#1b2327", "#1e4a4d", "#6c8486"


def timeline_figure(history: HistoryMap, width: float = 9.0) -> Figure:
    """Early separations and losses along an age axis; events without an age are listed below.

    Labels are the first words of "what happened": this chart is for the
    therapist's eyes, in their own notebook.
    """
    dated = sorted((s for s in history.separations if s.age is not None), key=lambda s: s.age)
    undated = [s for s in history.separations if s.age is None]
    height = 1.6 + 0.45 * max(1, len(dated))
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("Early separations and losses, by age", loc="left", color=ACCENT,
                   fontsize=11)
    if not dated:
        axes.text(0.5, 0.5, "No events with an age yet", ha="center", va="center",
                  color=SOFT, transform=axes.transAxes)
        axes.set_axis_off()
        return figure
    last = max(s.age for s in dated)
    axes.hlines(0, 0, last + 1, color=SOFT, linewidth=1.5)
    for row, event in enumerate(dated, start=1):
        label = textwrap.shorten(event.what_happened, width=48, placeholder="…")
        axes.vlines(event.age, 0, row, color=SOFT, linewidth=0.8, linestyles="dotted")
        axes.plot([event.age], [row], marker="o", color=ACCENT)
        axes.annotate(f"age {event.age}: {label}", (event.age, row), xytext=(6, 0),
                      textcoords="offset points", va="center", fontsize=9, color=INK)
    axes.set_xlim(-0.5, last + max(8, last * 0.9))
    axes.set_ylim(-0.5, len(dated) + 0.8)
    axes.set_xlabel("age (years)")
    axes.get_yaxis().set_visible(False)
    for side in ("left", "right", "top"):
        axes.spines[side].set_visible(False)
    if undated:
        figure.text(0.01, 0.01, f"{len(undated)} more without an age (see the list)",
                    fontsize=8, color=SOFT)
    return figure
