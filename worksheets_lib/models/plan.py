"""The goal plan: what secure connection would make possible, goals and their steps."""

from __future__ import annotations

from pydantic import Field

from .common import Day, LongText, Model, ShortText


class PlanStep(Model):
    """A concrete, time-bound step toward a goal."""

    what: LongText
    by: Day | None = None
    done: bool = False


class Goal(Model):
    """One goal, broken into steps, with a fair way to keep track and a check-in rhythm."""

    goal: LongText
    steps: list[PlanStep] = Field(default_factory=list, max_length=20)
    accountability: LongText | None = None
    check_in: ShortText | None = None  # for example "every Monday" or "each session"


class GoalPlan(Model):
    """The plan made together; the ladder itself lives in the client's profile."""

    vision: LongText | None = None  # what secure connection would make possible
    goals: list[Goal] = Field(default_factory=list, max_length=3)
