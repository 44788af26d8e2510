"""Printable, personalized attachment-therapy worksheets.

The public API is what this module exports; the command line and the
notebooks call these functions and hold no logic of their own::

    from worksheets_lib import load_client, render_packet
    client = load_client("examples/alex-rivera.yaml")
    result = render_packet(client, "alex-packet.pdf")
"""

from .catalog import Worksheet, get_worksheet, list_worksheets
from .clientfile import load_client, validate_client
from .errors import (
    BlockedResourceError,
    ClientFileError,
    OutputError,
    Problem,
    TemplateError,
    UnknownWorksheetError,
    WorksheetError,
)
from .models import (
    ClientProfile,
    JournalSettings,
    Ladder,
    LadderStep,
    ListeningSettings,
    Terms,
    Therapist,
)
from .packet import packet_html, render_packet
from .render import RenderResult, render_worksheet, worksheet_html
from .resources import demo_client_path, templates_dir

__version__ = "0.1.0"

__all__ = [
    "BlockedResourceError", "ClientFileError", "ClientProfile", "JournalSettings", "Ladder",
    "LadderStep", "ListeningSettings", "OutputError", "Problem", "RenderResult",
    "TemplateError", "Terms", "Therapist", "UnknownWorksheetError", "Worksheet",
    "WorksheetError", "demo_client_path", "get_worksheet", "list_worksheets", "load_client",
    "packet_html", "render_packet", "render_worksheet", "templates_dir", "validate_client",
    "worksheet_html",
]
