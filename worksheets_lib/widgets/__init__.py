"""The therapist's workbooks as ipywidgets forms, one module per flow.

``binding`` ties widgets to the models; ``wizard`` gives the steps Back, Next
and Save; ``picker`` chooses the client; ``history`` and ``goals`` are the two
flows; ``ladder`` is the ladder builder with its live preview; ``journal``
is the client's journal app (served with Voilà). Notebooks call
:func:`history_mapping` or :func:`goal_setting` and display the result.
"""

from .goals import GoalsWorkbook, goal_setting
from .history import HistoryWorkbook, history_mapping
from .journal import JournalApp, client_journal
from .review import ProgressReview, progress_review

__all__ = ["GoalsWorkbook", "HistoryWorkbook", "JournalApp", "ProgressReview",
           "client_journal", "goal_setting", "history_mapping", "progress_review"]
