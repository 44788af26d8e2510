"""The therapist's workbooks as ipywidgets forms, one module per flow.

``binding`` ties widgets to the models; ``wizard`` gives the steps Back, Next
and Save; ``picker`` chooses the client; ``history`` and ``goals`` are the two
flows; ``ladder`` is the ladder builder with its live preview; ``journal``
is the client's journal app (served with Voilà). Notebooks call
:func:`history_mapping` or :func:`goal_setting` and display the result.

Each name is imported from its module when first used, so the journal app
does not load the workbooks' charts (matplotlib) to open.
"""

from __future__ import annotations

import importlib

_WHERE = {"GoalsWorkbook": "goals", "goal_setting": "goals",
          "HistoryWorkbook": "history", "history_mapping": "history",
          "JournalApp": "journal", "client_journal": "journal",
          "ProgressReview": "review", "progress_review": "review"}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
