"""The clinical vocabulary as validated pydantic models.

Data enters the project through exactly one door: these models. Everything
downstream (templates, PDF, the casebook) trusts a validated model.
"""

from .common import LADDER_GAP_LIMIT, MAX_RUNGS, MIN_RUNGS
from .history import (
    PATTERNS,
    Caregiver,
    HistoryMap,
    Moment,
    PatternReflection,
    RelationalScript,
    Separation,
)
from .plan import Goal, GoalPlan, PlanStep
from .profile import (
    ClientProfile,
    JournalSettings,
    Ladder,
    LadderStep,
    ListeningSettings,
    Partner,
    Terms,
    Therapist,
)
from .records import (
    SKILLS,
    JournalEntry,
    LadderAttempt,
    ListeningRecord,
    PacketRecord,
    WorksheetResponse,
    new_id,
)

__all__ = [
    "LADDER_GAP_LIMIT", "MAX_RUNGS", "MIN_RUNGS", "PATTERNS", "SKILLS", "Caregiver",
    "ClientProfile", "Goal", "GoalPlan", "HistoryMap", "JournalEntry", "JournalSettings",
    "Ladder", "LadderAttempt", "LadderStep", "ListeningRecord", "ListeningSettings", "Moment",
    "PacketRecord", "Partner", "PatternReflection", "PlanStep", "RelationalScript",
    "Separation", "Terms", "Therapist", "WorksheetResponse", "new_id",
]
