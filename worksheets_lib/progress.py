"""What the client's records say over time: the numbers behind the progress review.

No widgets and no drawing here: ``review`` turns journal entries and ladder
attempts into plain summaries that the charts, the notebook and the progress
report all use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from .models import ClientProfile, JournalEntry, LadderAttempt

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_CLAUSE = re.compile(r"[.!?;:,()\n]+")


def _plain(word: str) -> str:
    """Lower case, straight apostrophes, no possessive 's ("Maya’s" -> "maya")."""
    word = word.lower().replace("’", "'")
    return word[:-2] if word.endswith("'s") else word
STOPWORDS = frozenset("""a about after again all also am an and any are as at be because been
before being but by can could did do does doing don't down during each for from had has have
having he her here hers him his how i i'm if in into is it it's its just me more most my no nor
not now of off on once only or other our out over own really same she should so some still such
than that the their them then there these they this those through to too under until up very
was we were what when where which while who why will with would you your yours felt feel feeling
got get went go going day today came come said say told""".split())


@dataclass(frozen=True)
class RungProgress:
    """One ladder step: expected distress, and distress after each try."""

    number: int
    step: str
    expected: int
    tries: list[LadderAttempt]

    @property
    def latest(self) -> int | None:
        known = [a.distress_after for a in self.tries if a.distress_after is not None]
        return known[-1] if known else None


@dataclass(frozen=True)
class Review:
    """Everything the progress review shows, for one client and one period."""

    client: ClientProfile
    start: dt.date
    end: dt.date
    entries: list[JournalEntry]
    rungs: list[RungProgress]
    triggers: list[tuple[str, int]] = field(default_factory=list)
    feelings: list[tuple[str, int]] = field(default_factory=list)

    @property
    def paused(self) -> tuple[int, int]:
        """(entries where the client paused, entries where they said they did not)."""
        return (sum(e.paused is True for e in self.entries),
                sum(e.paused is False for e in self.entries))

    @property
    def afterwards(self) -> dict[str, int]:
        counts = Counter(e.afterwards for e in self.entries if e.afterwards)
        return {k: counts.get(k, 0) for k in ("closer", "same", "more distant")}

    @property
    def rungs_climbed(self) -> int:
        return sum(1 for r in self.rungs if r.tries)


def repeated_triggers(entries: list[JournalEntry], limit: int = 8,
                      ignore: frozenset[str] = frozenset()) -> list[tuple[str, int]]:
    """Words and two-word phrases from "what happened" found in two entries or more.

    Counted once per entry, so one long entry cannot dominate. Words in *ignore*
    (the names of the people involved) say who, not what, and are left out.
    """
    stop = STOPWORDS | ignore
    phrase_counts: Counter[str] = Counter()
    word_counts: Counter[str] = Counter()
    for entry in entries:
        kept_words: set[str] = set()
        pairs: set[str] = set()
        # Phrases never run across punctuation ("...home. Late again" is not "home late").
        for clause in _CLAUSE.split(entry.what_happened or ""):
            words = [_plain(w) for w in _WORD.findall(clause)]
            kept_words.update(w for w in words if w not in stop and len(w) > 2)
            pairs.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False)
                         if a not in stop and b not in stop and len(a) > 2 and len(b) > 2)
        word_counts.update(kept_words)
        phrase_counts.update(pairs)
    phrases = [(p, n) for p, n in phrase_counts.most_common() if n >= 2]
    covered = {w for p, _ in phrases for w in p.split()}
    words = [(w, n) for w, n in word_counts.most_common() if n >= 2 and w not in covered]
    return sorted(phrases + words, key=lambda item: (-item[1], item[0]))[:limit]


def review(client: ClientProfile, entries: list[JournalEntry],
           attempts: list[LadderAttempt], start: dt.date, end: dt.date) -> Review:
    """Summarise a period of the client's records."""
    by_step: dict[str, list[LadderAttempt]] = {}
    for attempt in sorted(attempts, key=lambda a: a.tried_on):
        if start <= attempt.tried_on <= end:
            by_step.setdefault(attempt.step_id, []).append(attempt)
    rungs = [RungProgress(n, s.step, s.distress, by_step.get(s.id, []))
             for n, s in enumerate(client.ladder.sorted_steps(), start=1)]
    feelings = Counter(e.feeling.lower() for e in entries if e.feeling).most_common()
    names = " ".join(filter(None, (client.name, client.listening.other_person,
                                   client.terms.partner,
                                   client.partner.name if client.partner else None)))
    ignore = frozenset(_plain(w) for w in _WORD.findall(names))
    return Review(client, start, end, sorted(entries, key=lambda e: e.at), rungs,
                  repeated_triggers(entries, ignore=ignore), feelings)
