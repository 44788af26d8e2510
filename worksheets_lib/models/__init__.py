"""The clinical vocabulary as validated pydantic models.

Data enters the project through exactly one door: these models. Everything
downstream (templates, PDF, the casebook) trusts a validated model.
"""

from __future__ import annotations

import importlib

#: Which submodule each public name comes from; imported when first used (PEP 562),
#: so ``models.paper`` or ``models.vocabulary`` alone does not load pydantic.
_MODULES: dict[str, tuple[str, ...]] = {
    "common": ("LADDER_GAP_LIMIT", "MAX_RUNGS", "MIN_RUNGS"),
    "history": ("PATTERNS", "Caregiver", "HistoryMap", "Moment", "PatternReflection",
                "RelationalScript", "Separation"),
    "plan": ("Goal", "GoalPlan", "PlanStep"),
    "profile": ("ClientProfile", "JournalSettings", "Ladder", "LadderStep",
                "ListeningSettings", "Partner", "Terms", "Therapist"),
    "records": ("SKILLS", "JournalEntry", "LadderAttempt", "ListeningRecord", "PacketRecord",
                "WorksheetResponse", "new_id"),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])
