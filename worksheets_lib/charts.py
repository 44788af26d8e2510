"""Charts for the workbooks (matplotlib): the history timeline.

Figures are made with the object API (no global pyplot state), so they work
in a notebook, in Voilà and in tests without a display.
"""

from __future__ import annotations

import textwrap

from matplotlib.figure import Figure

from .models import HistoryMap
from .models.vocabulary import AFTERWARDS

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


MARKERS = "osD^v<>pPX*h"


def _date_axis(axes, start, end) -> None:
    """The period from *start* to *end* (dates), each day or week labelled once.

    Up to two weeks: a tick per day (every other day past a week); longer: a tick
    per Monday (every other Monday past ten weeks). Never an hour, so never the
    same date twice.
    """
    import datetime as dt

    import matplotlib.dates as mdates

    days = (end - start).days + 1
    midnight = dt.time()
    here = dt.datetime.now().astimezone().tzinfo  # ticks at the client's midnights
    axes.set_xlim(dt.datetime.combine(start, midnight, here),
                  dt.datetime.combine(end + dt.timedelta(days=1), midnight, here))
    if days <= 14:
        # At noon: the label sits in the middle of its day, and the period's edges
        # (midnights) get no tick of their own.
        locator = mdates.RRuleLocator(mdates.rrulewrapper(
            mdates.DAILY, interval=1 if days <= 7 else 2, byhour=12, byminute=0, bysecond=0),
            tz=here)
        formatter = mdates.DateFormatter("%a\n%d %b", tz=here)
    else:
        locator = mdates.WeekdayLocator(byweekday=mdates.MO,
                                        interval=1 if days <= 70 else 2, tz=here)
        formatter = mdates.DateFormatter("%d %b", tz=here)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(formatter)
    axes.tick_params(axis="x", labelsize=8)
    for side in ("right", "top"):
        axes.spines[side].set_visible(False)


def _nothing_yet(axes, text: str) -> None:
    """An empty state: a plain sentence instead of empty axes."""
    axes.text(0.5, 0.5, text, ha="center", va="center", color=SOFT, fontsize=11,
              transform=axes.transAxes)
    axes.set_axis_off()


def intensity_figure(review, width: float = 7.5) -> Figure:
    """Intensity (0–10) of each entry over time, one marker shape per feeling.

    Shapes as well as shades tell the feelings apart, so it reads in black and white.
    """
    figure = Figure(figsize=(width, 3.0), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("How strong the feelings were", loc="left", color=ACCENT, fontsize=11)
    points = [e for e in review.entries if e.intensity is not None]
    if not points:
        _nothing_yet(axes, "No entries with a strength yet" if review.entries
                     else "No entries yet")
        return figure
    feelings = [f for f, _ in review.feelings][:len(MARKERS)]
    shades = ["#1b2327", "#1e4a4d", "#5c7a7d", "#8a9da0"]
    for index, feeling in enumerate(feelings + ["other"]):
        chosen = [e for e in points if (e.feeling or "").lower() == feeling
                  or (feeling == "other" and (e.feeling or "").lower() not in feelings)]
        if not chosen:
            continue
        axes.plot([e.at.astimezone() for e in chosen], [e.intensity for e in chosen],
                  linestyle="none", marker=MARKERS[index % len(MARKERS)], markersize=7,
                  color=shades[index % len(shades)], label=feeling)
    axes.set_ylim(-0.5, 10.5)
    axes.set_ylabel("strength (0–10)")
    # Beside the plot, so it never covers a point.
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
    _date_axis(axes, review.start, review.end)
    return figure


def _weeks(review) -> list[tuple[str, list]]:
    """Entries grouped by week (Monday first), labelled by the week's Monday."""
    import datetime as dt

    weeks: dict[dt.date, list] = {}
    for entry in review.entries:
        day = entry.at.astimezone().date()
        weeks.setdefault(day - dt.timedelta(days=day.weekday()), []).append(entry)
    return [(f"{monday:%d %b}", weeks[monday]) for monday in sorted(weeks)]


def pause_and_afterwards_figure(review, width: float = 7.5) -> Figure:
    """Week by week: how often the client paused, and closer or more distant afterwards.

    Hatching as well as shade tells the bars apart, so it reads in black and white.
    """
    figure = Figure(figsize=(width, 2.8), layout="constrained")
    weeks = _weeks(review)
    if not weeks:
        axes = figure.add_subplot()
        axes.set_title("Using the pause, and afterwards, week by week", loc="left",
                       color=ACCENT, fontsize=11)
        _nothing_yet(axes, "No entries yet")
        return figure
    left, right = figure.subplots(1, 2)
    labels = [label for label, _ in weeks]
    positions = list(range(len(labels)))
    series_left = [("paused", True, ACCENT, ""), ("did not pause", False, "white", "//")]
    for offset, (name, value, colour, hatch) in zip((-0.2, 0.2), series_left, strict=True):
        counts = [sum(e.paused is value for e in group) for _, group in weeks]
        left.bar([p + offset for p in positions], counts, width=0.4, color=colour,
                 edgecolor=INK, hatch=hatch, label=name)
    left.set_title("Using the pause, week by week", loc="left", color=ACCENT, fontsize=11)
    bottom = [0] * len(positions)
    look = {"closer": (ACCENT, ""), "same": ("#c9d6d6", ".."), "more distant": ("white", "//")}
    series_right = [(AFTERWARDS[value], value, *look[value]) for value in AFTERWARDS]
    for name, value, colour, hatch in series_right:
        counts = [sum(e.afterwards == value for e in group) for _, group in weeks]
        right.bar(positions, counts, bottom=bottom, width=0.6, color=colour, edgecolor=INK,
                  hatch=hatch, label=name)
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    right.set_title("Afterwards, week by week", loc="left", color=ACCENT, fontsize=11)
    for axes in (left, right):
        axes.set_xticks(positions, [f"week of\n{label}" for label in labels], fontsize=8)
        axes.yaxis.get_major_locator().set_params(integer=True)
        axes.set_ylabel("entries")
        # Below the axes, so the legend never covers a bar.
        axes.legend(fontsize=7, frameon=False, loc="upper center", ncol=3,
                    bbox_to_anchor=(0.5, -0.32))
        for side in ("right", "top"):
            axes.spines[side].set_visible(False)
    return figure


def ladder_figure(review, width: float = 7.5) -> Figure:
    """Each rung's expected distress and the distress after its latest try."""
    rungs = review.rungs
    figure = Figure(figsize=(width, 0.9 + 0.38 * max(1, len(rungs))), layout="constrained")
    axes = figure.add_subplot()
    axes.set_title("The ladder: expected distress and distress afterwards", loc="left",
                   color=ACCENT, fontsize=11)
    if not rungs:
        _nothing_yet(axes, "No ladder steps yet")
        return figure
    rows = range(len(rungs))
    axes.scatter([r.expected for r in rungs], rows, marker="o", facecolors="white",
                 edgecolors=INK, s=45, label="expected", zorder=3)
    tried = [(i, r) for i, r in enumerate(rungs) if r.latest is not None]
    for i, r in tried:
        axes.plot([r.expected, r.latest], [i, i], color=SOFT, linewidth=1.2)
    axes.scatter([r.latest for _, r in tried], [i for i, _ in tried], marker="s",
                 color=ACCENT, s=40, label="afterwards (latest try)", zorder=3)
    axes.set_yticks(list(rows), [f"rung {r.number}" + (" ✓" if r.tries else "")
                                 for r in rungs], fontsize=8)
    axes.set_xlim(-2, 102)
    axes.set_xlabel("distress (0–100)")
    # Beside the plot, so it never covers a rung's markers.
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    for side in ("right", "top"):
        axes.spines[side].set_visible(False)
    return figure


def figure_svg(figure: Figure) -> bytes:
    """A figure as SVG with its text drawn as outlines (no fonts needed to print it)."""
    import io

    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "path"}):
        figure.savefig(buffer, format="svg")
    return buffer.getvalue()


def figure_png(figure: Figure, dpi: int = 110) -> bytes:
    """A figure as PNG bytes."""
    import io

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()
