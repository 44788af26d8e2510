"""Printable, personalized attachment-therapy worksheets, and the casebook behind them.

The public API is what this module exports; the command line and the
notebooks call these functions and hold no logic of their own::

    from worksheets_lib import load_client, render_packet
    client = load_client("examples/alex-rivera.yaml")
    result = render_packet(client, "alex-packet.pdf")

Names are imported from their modules when first used (PEP 562), so a command
or the journal app loads only what it needs.
"""

from __future__ import annotations

import importlib

__version__ = "0.5.0"

#: Which module each public name comes from.
_MODULES: dict[str, tuple[str, ...]] = {
    "casebook": ("AuditLine", "Bundle", "Casebook", "ImportResult", "export_client",
                 "import_bundle", "open_casebook", "read_bundle", "write_bundle"),
    "catalog": ("Worksheet", "get_worksheet", "list_worksheets"),
    "clientfile": ("load_client", "validate_client"),
    "documents": ("Document", "Inputs", "document_html", "gather", "get_document",
                 "list_documents", "render_document"),
    "errors": ("BlockedResourceError", "BundleError", "CasebookError", "ClientFileError",
                 "ClientNotFoundError", "OutputError", "PracticeError", "Problem", "RecordError",
                 "TemplateError", "UnknownWorksheetError", "WorksheetError"),
    "models": ("Caregiver", "ClientProfile", "Goal", "GoalPlan", "HistoryMap", "JournalEntry",
                 "JournalSettings", "Ladder", "LadderAttempt", "LadderStep", "ListeningRecord",
                 "ListeningSettings", "Moment", "PacketRecord", "PatternReflection", "PlanStep",
                 "RelationalScript", "Separation", "Terms", "Therapist"),
    "packet": ("packet_html", "render_casebook_packet", "render_packet"),
    "practice": ("Practice", "find_practice", "load_practice"),
    "render": ("RenderResult", "render_worksheet", "worksheet_html"),
    "resources": ("demo_client_path", "templates_dir"),
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
