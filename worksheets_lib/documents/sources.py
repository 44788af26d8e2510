"""Gather a document's models from the casebook: the profile and the records it needs.

The journal week covers the last seven days and the progress review and the
stage notes the last four weeks, all ending today, unless a period is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .registry import Document, Inputs

JOURNAL_WEEK_DAYS = 7
PROGRESS_WEEKS = 4
#: The documents that look back over PROGRESS_WEEKS by default (the others over a week).
FOUR_WEEK_DOCUMENTS = frozenset({"progress-report", "stage-notes"})


def gather(casebook, client_id: str, documents: Iterable[Document],
           start: dt.date | None = None, end: dt.date | None = None) -> Inputs:
    """The :class:`Inputs` for *documents*: the client and only the records they need."""
    documents = list(documents)
    needs = {n for d in documents for n in d.needs}
    client = casebook.get_client(client_id)
    end = end or dt.date.today()
    if start is None:
        progress = any(d.name in FOUR_WEEK_DOCUMENTS for d in documents)
        start = end - (dt.timedelta(weeks=PROGRESS_WEEKS) if progress
                       else dt.timedelta(days=JOURNAL_WEEK_DAYS - 1))
    values = {}
    if "history" in needs:
        values["history"] = casebook.load_history(client_id)
    if "plan" in needs:
        values["plan"] = casebook.load_plan(client_id)
    if "entries" in needs:
        values["entries"] = casebook.list_journal(client_id, start, end)
    if "attempts" in needs:
        values["attempts"] = casebook.list_ladder_attempts(client_id)
    return Inputs(client, start=start, end=end, **values)
