"""Turn a filled worksheet's fields into casebook records, or say what is wrong with them.

The field names are the contract of documents/options.py. Every field is
checked before anything is stored: its name must belong to one of the
documents the file says it holds, its kind (text, tick box, radio group) must
be the one that name is printed as, numbers must be in range and dates must be
dates. Client text is never put into a message: a problem names the field and
what kind of value was expected.

Record ids are derived from the packet id and the field group (a day, a
rung, a log row), so importing the same file again finds them stored.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from pydantic import ValidationError

from ..models import (
    ClientProfile,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    WorksheetResponse,
)
from ..models.vocabulary import AFTERWARDS
from .pdfform import Field, FilledForm

#: Ids of records read back: uuid5 of the packet id and the field group.
_NAMESPACE = uuid.UUID("5d1c7a3e-8f0b-4c55-9a52-3c8f2b6f1e07")

FIELD_NAME = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
TEXT, CHECK, RADIO = "text", "checkbox", "radio"

JOURNAL_PARTS = {
    "date": TEXT, "what-happened": TEXT, "feeling": TEXT, "intensity": RADIO, "body": TEXT,
    "paused": RADIO, "pause-named": CHECK, "pause-rated": CHECK, "pause-chose-step": CHECK,
    "pause-step": TEXT, "what-i-did": TEXT, "afterwards": RADIO,
}
RADIO_CHOICES = {
    "intensity": tuple(str(n) for n in range(11)),
    "paused": ("yes", "no"),
    "afterwards": tuple(key.replace(" ", "-") for key in AFTERWARDS),
}
LOOK_BACK_PARTS = ("closeness", "distant", "triggers", "next", "glad")
LADDER_RUNG_PARTS = {"try-1.date": TEXT, "try-1.upset-after": TEXT, "expect": TEXT,
                     "step": TEXT}
LADDER_LOG_PARTS = {"date": TEXT, "rung": TEXT, "upset-before": TEXT, "upset-after": TEXT,
                    "expected": TEXT, "happened": TEXT, "learned": TEXT}
LISTENING_SKILLS = {"distractions-away": "distractions_away", "eye-contact": "eye_contact",
                    "reflected-back": "reflected_back",
                    "clarifying-question": "clarifying_question"}
LISTENING_TEXT = ("i-felt", "when", "because", "what-id-like", "after-talk")


@dataclass
class Reading:
    """What one filled worksheet holds: records to store, notes, and problems."""

    records: list = field(default_factory=list)
    #: One line per record, without the client's text ("journal entry: day 3, 24 November").
    lines: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def record_id(packet_id: str | None, client_id: str, group: str) -> str:
    """The id of the record made from one field group of one printed packet."""
    return uuid.uuid5(_NAMESPACE, f"{packet_id or '-'}:{client_id}:{group}").hex


# --- values --------------------------------------------------------------------------------

_DATE_FORMS = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})$"), "dmy"),
)


def parse_date(text: str, paper: str | None, today: dt.date) -> dt.date | None:
    """A date as a client writes it, or None when it is not one.

    ``2026-11-24`` always; ``24/11/2026``, ``24.11.2026`` and ``24-11-26`` day
    first, except on a worksheet printed on US Letter paper, where a date both
    ways round (``11/12/2026``) is read month first. A date that can be read
    only one way (``11/24/2026``) is read that way.
    """
    text = text.strip().replace(" ", "")
    for pattern, order in _DATE_FORMS:
        match = pattern.match(text)
        if not match:
            continue
        a, b, c = (int(part) for part in match.groups())
        if order == "ymd":
            candidates = [(a, b, c)]
        else:
            year = c + 2000 if c < 100 else c
            day_first, month_first = (year, b, a), (year, a, b)
            candidates = [month_first, day_first] if paper == "letter" else [day_first,
                                                                             month_first]
        for year, month, day in candidates:
            try:
                return dt.date(year, month, day)
            except ValueError:
                continue
    return None


class _Checker:
    """Reads typed values, noting a problem (never the value itself) when one is wrong."""

    def __init__(self, form: FilledForm, reading: Reading, today: dt.date):
        self.form, self.reading, self.today = form, reading, today

    def problem(self, name: str, why: str) -> None:
        self.reading.problems.append(f"{name}: {why}")

    def text(self, f: Field | None) -> str | None:
        if f is None or not isinstance(f.value, str):
            return None
        value = f.value.replace("\r\n", "\n").replace("\r", "\n").strip()
        return value or None

    def number(self, f: Field | None, low: int, high: int) -> int | None:
        value = self.text(f)
        if value is None:
            return None
        if not re.fullmatch(r"\d{1,3}", value) or not low <= int(value) <= high:
            self.problem(f.name, f"must be a whole number from {low} to {high}")
            return None
        return int(value)

    def date(self, f: Field | None) -> dt.date | None:
        value = self.text(f)
        if value is None:
            return None
        day = parse_date(value, self.form.paper, self.today)
        if day is None:
            self.problem(f.name, "is not a date (write it like 24/11/2026 or 2026-11-24)")
            return None
        if day > self.today + dt.timedelta(days=1) or day.year < 2000:
            self.problem(f.name, "is a date in the future or long ago; check the year")
            return None
        return day


# --- checking the fields -------------------------------------------------------------------

def _expected(name: str, documents: list[str]) -> str | None:
    """The kind a field of this name is printed as, or None when no such field exists."""
    parts = name.split(".")
    doc, rest = parts[0], ".".join(parts[1:])
    if doc not in documents:
        return None
    if doc == "journal":
        match = re.fullmatch(r"day-(\d{1,2})\.([a-z-]+)", rest)
        if match and 1 <= int(match[1]) <= 31 and match[2] in JOURNAL_PARTS:
            return JOURNAL_PARTS[match[2]]
    if doc in ("journal", "journal-week"):
        match = re.fullmatch(r"look-back(-\d{1,2}-\d{1,2})?\.([a-z-]+)", rest)
        if match and match[2] in LOOK_BACK_PARTS:
            return TEXT
        return None
    if doc == "ladder":
        match = re.fullmatch(r"(step-[0-9a-f]{32}|rung-\d{1,2}|spare-\d{1,2})\.(.+)", rest)
        if match and match[2] in LADDER_RUNG_PARTS:
            is_spare = match[1].startswith("spare")
            if match[2] in ("expect", "step") and not is_spare:
                return None
            return LADDER_RUNG_PARTS[match[2]]
        match = re.fullmatch(r"log-(\d{1,2})\.([a-z-]+)", rest)
        if match and match[2] in LADDER_LOG_PARTS:
            return LADDER_LOG_PARTS[match[2]]
        return None
    if doc == "listening":
        match = re.fullmatch(r"talk-(\d)\.([a-z-]+)", rest)
        if match:
            return TEXT if match[2] == "date" else CHECK if match[2] in LISTENING_SKILLS \
                else None
        return TEXT if rest in LISTENING_TEXT else None
    return "any"  # other documents keep every field of theirs as it was written


def check_fields(form: FilledForm, reading: Reading) -> None:
    """Note a problem for every field that is not one we print, or not printed that way."""
    for name, f in sorted(form.fields.items()):
        if not FIELD_NAME.match(name):
            reading.problems.append(f"a field named {name[:40]!r}: is not one of ours")
            continue
        expected = _expected(name, form.documents)
        if expected is None:
            reading.problems.append(f"{name}: is not a field of this worksheet")
        elif f.kind == "other" or (expected != "any" and f.kind != expected):
            reading.problems.append(f"{name}: should be a {expected} field, but is "
                                    f"{'of another kind' if f.kind == 'other' else 'a ' + f.kind}")
        elif f.kind == RADIO:
            part = name.rsplit(".", 1)[1]
            wanted = RADIO_CHOICES.get(part)
            if wanted is not None and f.choices != wanted:
                reading.problems.append(f"{name}: its choices were changed")
            elif f.value == "\0unknown" or (f.value is not None and f.value not in f.choices):
                reading.problems.append(f"{name}: the chosen answer is not one of its choices")


# --- records -------------------------------------------------------------------------------

def _by_group(form: FilledForm, prefix: str) -> dict[str, dict[str, Field]]:
    """Fields under *prefix*, grouped by their next name part (``day-3``: {part: field})."""
    groups: dict[str, dict[str, Field]] = defaultdict(dict)
    for name, f in form.fields.items():
        if name.startswith(prefix + "."):
            group, _, part = name[len(prefix) + 1:].partition(".")
            groups[group][part] = f
    return groups


def _filled(f: Field | None) -> bool:
    if f is None:
        return False
    return bool(f.value.strip()) if isinstance(f.value, str) else bool(f.value)


def _at(day: dt.date) -> dt.datetime:
    """A day written on paper, as a moment: noon, local time."""
    return dt.datetime.combine(day, dt.time(12, 0)).astimezone()


def _journal(form: FilledForm, check: _Checker, reading: Reading, session: dt.date) -> None:
    for group, fields in sorted(_by_group(form, "journal").items(),
                                key=lambda item: item[0]):
        match = re.fullmatch(r"day-(\d+)", group)
        if not match or not any(_filled(fields.get(p)) for p in JOURNAL_PARTS if p != "date"):
            continue
        number = int(match[1])
        day = check.date(fields.get("date"))
        if day is None and not _filled(fields.get("date")):
            day = session + dt.timedelta(days=number)
            reading.notes.append(f"journal day {number} has no date: filed under "
                                 f"{day:%d %B %Y} (the session date + {number} days)")
        if day is None:
            continue
        paused = fields.get("paused")
        afterwards = fields.get("afterwards")
        intensity = fields.get("intensity")
        pause_rating = None
        values = {
            "id": record_id(form.packet_id, form.client_id, f"journal.{group}"),
            "at": _at(day),
            "what_happened": check.text(fields.get("what-happened")),
            "feeling": check.text(fields.get("feeling")),
            "intensity": int(intensity.value) if intensity and intensity.value else None,
            "body": check.text(fields.get("body")),
            "paused": None if not paused or paused.value is None else paused.value == "yes",
            "pause_step": check.text(fields.get("pause-step")),
            "what_i_did": check.text(fields.get("what-i-did")),
            "afterwards": None if not afterwards or afterwards.value is None
            else afterwards.value.replace("-", " "),
        }
        # The printed ticks say what the client did when they paused: naming the feeling
        # names it (the feeling they wrote), rating it rates it (the strength they circled).
        if _filled(fields.get("pause-named")) and values["feeling"]:
            values["pause_named"] = values["feeling"]
        if _filled(fields.get("pause-rated")) and values["intensity"] is not None:
            pause_rating = values["intensity"]
        values["pause_rating"] = pause_rating
        if _filled(fields.get("pause-chose-step")) and not values["pause_step"]:
            values["pause_step"] = "(I chose a step)"
        _make(reading, JournalEntry, values, f"journal.{group}",
              f"journal entry: day {number}, {day:%d %B %Y}")


def _make(reading: Reading, model, values: dict, where: str, line: str) -> None:
    try:
        record = model(**values)
    except ValidationError as error:
        for item in error.errors():
            field_name = ".".join(str(p) for p in item["loc"])
            reading.problems.append(f"{where}: {field_name} {item['msg'].lower()}")
        return
    reading.records.append(record)
    reading.lines.append(line)


def _step_of(key: str, profile: ClientProfile) -> str | None:
    """The step id a rung key names: its own id, or the rung number on the current ladder."""
    steps = profile.ladder.sorted_steps()
    if key.startswith("step-"):
        wanted = key[5:]
        return wanted if any(s.id == wanted for s in steps) else None
    match = re.fullmatch(r"rung-(\d+)", key)
    if match and 1 <= int(match[1]) <= len(steps):
        return steps[int(match[1]) - 1].id
    return None


def _ladder(form: FilledForm, check: _Checker, reading: Reading,
            profile: ClientProfile) -> None:
    steps = profile.ladder.sorted_steps()
    for group, fields in sorted(_by_group(form, "ladder").items()):
        if group.startswith("log-"):
            row = group[4:]
            if not any(_filled(f) for f in fields.values()):
                continue
            rung = check.number(fields.get("rung"), 1, max(1, len(steps)))
            tried = check.date(fields.get("date"))
            before = check.number(fields.get("upset-before"), 0, 100)
            after = check.number(fields.get("upset-after"), 0, 100)
            if rung is None and not _filled(fields.get("rung")):
                check.problem(f"ladder.{group}.rung", "is empty: write which rung was tried")
                continue
            if tried is None and not _filled(fields.get("date")):
                check.problem(f"ladder.{group}.date", "is empty: write the day of the try")
                continue
            if rung is None or tried is None:
                continue
            _make(reading, LadderAttempt, {
                "id": record_id(form.packet_id, form.client_id, f"ladder.{group}"),
                "step_id": steps[rung - 1].id, "tried_on": tried,
                "distress_before": before, "distress_after": after,
                "expected": check.text(fields.get("expected")),
                "happened": check.text(fields.get("happened")),
                "learned": check.text(fields.get("learned"))},
                f"ladder.{group}", f"ladder attempt: rung {rung}, {tried:%d %B %Y} "
                                   f"(practice log, row {row})")
        elif group.startswith("spare-"):
            continue  # a step of the client's own: kept with the response below
        else:
            tried_field, after_field = fields.get("try-1.date"), fields.get("try-1.upset-after")
            if not (_filled(tried_field) or _filled(after_field)):
                continue
            step_id = _step_of(group, profile)
            if step_id is None:
                check.problem(f"ladder.{group}", "is not a step of this client's ladder now")
                continue
            tried = check.date(tried_field)
            after = check.number(after_field, 0, 100)
            if tried is None:
                if not _filled(tried_field):
                    check.problem(f"ladder.{group}.try-1.date",
                                  "is empty: write the day of the try")
                continue
            number = [s.id for s in steps].index(step_id) + 1
            _make(reading, LadderAttempt, {
                "id": record_id(form.packet_id, form.client_id, f"ladder.{group}.try-1"),
                "step_id": step_id, "tried_on": tried, "distress_after": after},
                f"ladder.{group}", f"ladder attempt: rung {number}, {tried:%d %B %Y}")


def _listening(form: FilledForm, check: _Checker, reading: Reading) -> None:
    talks = {group: fields for group, fields in _by_group(form, "listening").items()
             if group.startswith("talk-")}
    used = []
    for group, fields in sorted(talks.items()):
        if not any(_filled(f) for f in fields.values()):
            continue
        talked_on = check.date(fields.get("date"))
        if talked_on is None:
            if not _filled(fields.get("date")):
                check.problem(f"listening.{group}.date", "is empty: write the day of the talk")
            continue
        used.append((group, talked_on, {model: _filled(fields.get(part))
                                        for part, model in LISTENING_SKILLS.items()}))
    reflection = check.text(form.fields.get("listening.after-talk"))
    for index, (group, talked_on, skills) in enumerate(used):
        last = index == len(used) - 1
        _make(reading, ListeningRecord, {
            "id": record_id(form.packet_id, form.client_id, f"listening.{group}"),
            "talked_on": talked_on, **skills,
            # The page has one "after a talk" box: it goes with the latest talk.
            "reflection": reflection if last else None},
            f"listening.{group}", f"listening record: talk {group[5:]}, "
                                  f"{talked_on:%d %B %Y}")


#: Fields that become records of their own (everything else is kept as a response).
def _in_record(name: str) -> bool:
    return bool(re.match(r"^journal\.day-\d+\.", name)
                or re.match(r"^ladder\.(?!spare-)[a-z0-9-]+\.(try-1\.|date|rung|upset|expected"
                            r"|happened|learned)", name)
                or re.match(r"^listening\.talk-\d+\.", name))


def _responses(form: FilledForm, check: _Checker, reading: Reading) -> None:
    for document in form.documents:
        answers = {}
        for name, f in sorted(form.fields.items()):
            if not name.startswith(document + ".") or _in_record(name):
                continue
            if document == "listening" and name == "listening.after-talk" and \
                    any(isinstance(r, ListeningRecord) for r in reading.records):
                continue
            if f.kind == CHECK and f.value:
                answers[name] = True
            elif f.kind == RADIO and f.value is not None:
                answers[name] = f.value
            elif f.kind == TEXT and check.text(f):
                answers[name] = check.text(f)
        if answers:
            _make(reading, WorksheetResponse, {
                "id": record_id(form.packet_id, form.client_id, f"response.{document}"),
                "document": document, "packet_id": form.packet_id, "answers": answers},
                document, f"worksheet response: {document} ({len(answers)} "
                          f"answer{'s' if len(answers) != 1 else ''})")


def read_records(form: FilledForm, profile: ClientProfile,
                 today: dt.date | None = None) -> Reading:
    """The records a filled worksheet holds for *profile*'s client, and any problems."""
    reading = Reading()
    today = today or dt.date.today()
    check_fields(form, reading)
    if reading.problems:
        return reading
    check = _Checker(form, reading, today)
    try:
        session = dt.date.fromisoformat(form.session) if form.session else profile.session_date
    except ValueError:
        session = profile.session_date
    if "journal" in form.documents:
        _journal(form, check, reading, session)
    if "ladder" in form.documents:
        _ladder(form, check, reading, profile)
    if "listening" in form.documents:
        _listening(form, check, reading)
    _responses(form, check, reading)
    return reading
