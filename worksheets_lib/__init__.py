"""Printable, personalized attachment-therapy worksheets, and the casebook behind them.

The public API is what this module exports; the command line and the
notebooks call these functions and hold no logic of their own::

    from worksheets_lib import load_client, render_packet
    client = load_client("examples/alex-rivera.yaml")
    result = render_packet(client, "alex-packet.pdf")
"""

from .casebook import (
                       AuditLine,
                       Bundle,
                       Casebook,
                       ImportResult,
                       export_client,
                       import_bundle,
                       open_casebook,
                       read_bundle,
                       write_bundle,
)
from .catalog import Worksheet, get_worksheet, list_worksheets
from .clientfile import load_client, validate_client
from .documents import (
                       Document,
                       Inputs,
                       document_html,
                       gather,
                       get_document,
                       list_documents,
                       render_document,
)
from .errors import (
                       BlockedResourceError,
                       BundleError,
                       CasebookError,
                       ClientFileError,
                       ClientNotFoundError,
                       OutputError,
                       PracticeError,
                       Problem,
                       RecordError,
                       TemplateError,
                       UnknownWorksheetError,
                       WorksheetError,
)
from .models import (
                       Caregiver,
                       ClientProfile,
                       Goal,
                       GoalPlan,
                       HistoryMap,
                       JournalEntry,
                       JournalSettings,
                       Ladder,
                       LadderAttempt,
                       LadderStep,
                       ListeningRecord,
                       ListeningSettings,
                       Moment,
                       PacketRecord,
                       PatternReflection,
                       PlanStep,
                       RelationalScript,
                       Separation,
                       Terms,
                       Therapist,
)
from .packet import packet_html, render_casebook_packet, render_packet
from .practice import Practice, find_practice, load_practice
from .render import RenderResult, render_worksheet, worksheet_html
from .resources import demo_client_path, templates_dir

__version__ = "0.2.0"

__all__ = [
    "AuditLine", "BlockedResourceError", "Bundle", "BundleError", "Caregiver", "Casebook",
    "CasebookError", "ClientFileError", "ClientNotFoundError", "ClientProfile", "Goal",
    "GoalPlan", "HistoryMap", "ImportResult", "JournalEntry", "JournalSettings", "Ladder",
    "LadderAttempt", "LadderStep", "ListeningRecord", "ListeningSettings", "Moment",
    "OutputError", "PacketRecord", "PatternReflection", "PlanStep", "Problem", "RecordError",
    "RelationalScript", "RenderResult", "Separation", "TemplateError", "Terms", "Therapist",
    "UnknownWorksheetError", "Worksheet", "WorksheetError", "demo_client_path",
    "export_client", "get_worksheet", "import_bundle", "list_worksheets", "load_client",
    "open_casebook", "packet_html", "read_bundle", "render_casebook_packet", "render_packet",
    "render_worksheet", "templates_dir", "validate_client", "worksheet_html", "write_bundle",
    "Document", "Inputs", "Practice", "PracticeError", "document_html", "find_practice",
    "gather", "get_document", "list_documents", "load_practice", "render_document",
]
