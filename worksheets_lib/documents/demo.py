"""Fictional records for the demo client, so every document can be shown and tested.

The history map, goal plan, journal entries and ladder tries of "Alex", the
fictional client in ``examples/alex-rivera.yaml``. The tests and the README
pictures iterate the registry and make each document from these.
"""

from __future__ import annotations

import datetime as dt
import uuid

from ..models import (
    Caregiver,
    ClientProfile,
    Goal,
    GoalPlan,
    HistoryMap,
    JournalEntry,
    LadderAttempt,
    Moment,
    PatternReflection,
    PlanStep,
    RelationalScript,
    Separation,
)
from .registry import Inputs

_NAMESPACE = uuid.UUID("6f1d2c1e-8f5b-4a4e-9a55-0d7c0a1e2b3c")


def _id(label: str) -> str:
    return uuid.uuid5(_NAMESPACE, label).hex


def demo_history() -> HistoryMap:
    return HistoryMap(
        caregivers=[
            Caregiver(who="Mum", role="mother", availability="unpredictable",
                      comfort="Warm on good days; on hard days she was busy or tired.",
                      learned="To check her mood before asking for anything."),
            Caregiver(who="Grandad Joe", role="grandfather", availability="consistent",
                      comfort="Sat with me and listened; made tea.",
                      learned="That some people stay calm when I am upset."),
        ],
        separations=[Separation(age=7, what_happened="Dad moved to another city.",
                                who_helped="Grandad Joe",
                                shows_up_now="Goodbyes still feel heavy.")],
        scripts=[RelationalScript(
            trigger="Maya is late and does not text.",
            fear="I am not important to her.",
            reaction="I go quiet and check my phone again and again.",
            result="Maya feels watched and pulls back a little.",
            need="To hear that she is on her way and thinking of me.",
            moments=[Moment(kind="connected",
                            description="Maya called from the bus just to say hi."),
                     Moment(kind="abandoned",
                            description="Waiting two hours for a reply last spring.")])],
        reflections=[PatternReflection(pattern="anxious", seems_to_fit="partly",
                                       evidence="Worry rises fast when a reply is slow."),
                     PatternReflection(pattern="secure", seems_to_fit="partly",
                                       evidence="Feels steady with Grandad Joe and friends.")],
        notes="Alex wants to work on asking for comfort directly.")


def demo_plan() -> GoalPlan:
    return GoalPlan(
        vision="Feeling calm enough to enjoy time apart, and asking for a hug when I need one.",
        goals=[
            Goal(goal="Ask for comfort in words instead of going quiet.",
                 steps=[PlanStep(what="Say \"I could use a hug\" once this week.",
                                 by=dt.date(2026, 11, 30), done=True),
                        PlanStep(what="Tell Maya one worry out loud, calmly.",
                                 by=dt.date(2026, 12, 7))],
                 accountability="A tick in my journal each time I ask.",
                 check_in="each session"),
            Goal(goal="Enjoy evenings when Maya is out.",
                 steps=[PlanStep(what="Plan one evening at the climbing gym.",
                                 by=dt.date(2026, 12, 4))],
                 check_in="every Monday"),
        ])


def _at(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, 30, tzinfo=dt.UTC)


def demo_entries() -> list[JournalEntry]:
    return [
        JournalEntry(id=_id("e1"), at=_at(3, 19), what_happened="Maya came home late and "
                     "did not text.", feeling="worried", intensity=7, body="tight chest",
                     paused=False, what_i_did="Went quiet all evening.",
                     afterwards="more distant"),
        JournalEntry(id=_id("e2"), at=_at(10, 20), what_happened="Maya came home late again "
                     "but sent a text first.", feeling="uneasy", intensity=5,
                     body="knot in my stomach", paused=True, pause_named="worried",
                     pause_rating=5, pause_step="Breathe, then say hi.",
                     what_i_did="Said I was glad she let me know.", afterwards="closer"),
        JournalEntry(id=_id("e3"), at=_at(17, 21), what_happened="A quiet dinner with no "
                     "phones.", feeling="calm", intensity=3, paused=None,
                     afterwards="closer"),
        JournalEntry(id=_id("e4"), at=_at(21, 18), what_happened="Maya went out with "
                     "friends.", feeling="lonely", intensity=6, body="heavy shoulders",
                     paused=True, pause_named="lonely", pause_rating=6,
                     pause_step="Go to the climbing gym.", what_i_did="Climbed, then texted "
                     "her a photo.", afterwards="same"),
    ]


def demo_client_with_ids(client: ClientProfile) -> ClientProfile:
    """The client with stable step ids, as the casebook would give them."""
    steps = [s.model_copy(update={"id": s.id or _id(f"step-{i}")})
             for i, s in enumerate(client.ladder.steps)]
    return client.model_copy(update={"ladder": client.ladder.model_copy(
        update={"steps": steps})})


def demo_attempts(client: ClientProfile) -> list[LadderAttempt]:
    steps = client.ladder.sorted_steps()
    return [LadderAttempt(id=_id("a1"), step_id=steps[0].id, tried_on=dt.date(2026, 11, 5),
                          distress_after=8, learned="Maya smiled and asked more."),
            LadderAttempt(id=_id("a2"), step_id=steps[1].id, tried_on=dt.date(2026, 11, 12),
                          distress_after=30, learned="The hour felt long, then it was fine."),
            LadderAttempt(id=_id("a3"), step_id=steps[1].id, tried_on=dt.date(2026, 11, 19),
                          distress_after=15)]


def demo_inputs(client: ClientProfile) -> Inputs:
    """Every record a document may need, for the fictional demo client."""
    client = demo_client_with_ids(client)
    return Inputs(client, history=demo_history(), plan=demo_plan(), entries=demo_entries(),
                  attempts=demo_attempts(client), start=dt.date(2026, 10, 28),
                  end=dt.date(2026, 11, 24))
