"""What the casebook tests share: the demo client's file, marker words, and helpers
that read a casebook file directly (through tests/rawdb.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import stat
from pathlib import Path

import rawdb

from worksheets_lib.casebook import (
    driver,
    export_client,
)
from worksheets_lib.models import (
    Caregiver,
    Goal,
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    Moment,
    PacketRecord,
    PatternReflection,
    PlanStep,
    RelationalScript,
    Separation,
    WorksheetResponse,
)

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "alex-rivera.yaml"
SECRET = "QUOKKA-SECRET-5531"
SECRET_ID = "zq-private-client"
HEX32 = re.compile(r"^[0-9a-f]{32}$")
BAD_IDS = ["../x", "a/b", "x'; DROP TABLE clients;--", "", "..", "Alex Rivera"]


def plain(path: Path) -> contextlib.closing[driver.Connection]:
    """A plain sqlite3 connection, closed on leaving the with-block."""
    return contextlib.closing(rawdb.connect(path))


def pragma(path: Path, name: str):
    with plain(path) as conn:
        return conn.execute(f"PRAGMA {name}").fetchone()[0]


def table_names(conn: driver.Connection) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]


def every_cell(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table, read with a plain sqlite3 connection."""
    with plain(path) as conn:
        return {t: conn.execute(f'SELECT * FROM "{t}"').fetchall() for t in table_names(conn)}


def client_key(path: Path, client_id: str) -> str:
    with plain(path) as conn:
        return conn.execute("SELECT key FROM clients WHERE id = ?", (client_id,)).fetchone()[0]


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def full_history(text: str = "kind words") -> HistoryMap:
    return HistoryMap(
        caregivers=[Caregiver(who="Grandmother", role="raised me", availability="consistent",
                              comfort=f"sang to me ({text})", learned="people come back")],
        separations=[Separation(age=7, what_happened=f"moved schools ({text})",
                                who_helped="an aunt", shows_up_now="dread at goodbyes")],
        scripts=[RelationalScript(
            trigger=f"a late reply ({text})", fear="being left", reaction="go quiet",
            result="distance", need="reassurance",
            moments=[Moment(kind="connected", description=f"the beach trip ({text})"),
                     Moment(kind="abandoned", description="the empty station")])],
        reflections=[PatternReflection(pattern="anxious", seems_to_fit="partly",
                                       evidence=f"checks the phone often ({text})")],
        notes=f"notes ({text})")


def full_plan(text: str = "kind words") -> GoalPlan:
    return GoalPlan(
        vision=f"feeling steady together ({text})",
        goals=[Goal(goal=f"ask for comfort directly ({text})",
                    steps=[PlanStep(what="name the feeling", by=dt.date(2026, 12, 1)),
                           PlanStep(what="ask for a hug", done=True)],
                    accountability="tell my therapist each week", check_in="each session")])


def fill(book, client_id: str, text: str = "kind words") -> None:
    """Give a stored client one record of every kind."""
    steps = book.get_client(client_id).ladder.steps
    book.save_history(client_id, full_history(text))
    book.save_plan(client_id, full_plan(text))
    for day in (3, 1, 2):
        book.add_journal_entry(client_id, JournalEntry(
            at=dt.datetime(2026, 12, day, 20, 15, tzinfo=dt.UTC), what_happened=text,
            feeling="wobbly", intensity=day + 3, body="chest", paused=True,
            pause_named="fear", pause_rating=4, pause_step=text, what_i_did=text,
            afterwards="closer"))
    book.record_ladder_attempt(client_id, LadderAttempt(
        step_id=steps[0].id, tried_on=dt.date(2026, 12, 2), distress_after=12, learned=text))
    book.add_listening_record(client_id, ListeningRecord(
        talked_on=dt.date(2026, 12, 4), eye_contact=True, reflected_back=True, reflection=text))
    book.log_packet(client_id, PacketRecord(worksheets=["ladder"], paper="a4", pages=2,
                                            sha256="0" * 64))
    book.import_records(client_id, [WorksheetResponse(
        document="experiment", answers={"experiment.worried-thought": text,
                                        "experiment.tried": True})])


def bundle_without_time(book, client_id: str) -> dict:
    """The bundle's records, without what an import adds (times, its own audit lines)."""
    return export_client(book, client_id).model_dump(mode="json",
                                                      exclude={"exported_at", "audit"})


def state(book) -> tuple:
    """What a refused operation must leave as it was."""
    return book.audit_all(), book.list_clients()
