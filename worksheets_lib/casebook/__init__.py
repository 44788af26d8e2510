"""The casebook: an embedded, crash-safe SQLite store of client records.

``open_casebook()`` opens (or creates) it; records go in and out as the same
validated models the worksheets are rendered from. ``bundle`` exports one
client to a portable JSON file and imports it again.
"""

from .bundle import (
    BUNDLE_VERSION,
    Bundle,
    ImportResult,
    export_client,
    import_bundle,
    parse_bundle,
    read_bundle,
    write_bundle,
)
from .location import ENV_VAR, default_path, resolve_path
from .schema import SCHEMA_VERSION
from .store import AuditLine, Casebook, check_client_id, open_casebook

__all__ = [
    "BUNDLE_VERSION", "ENV_VAR", "SCHEMA_VERSION", "AuditLine", "Bundle", "Casebook",
    "ImportResult", "check_client_id", "default_path", "export_client", "import_bundle",
    "open_casebook", "parse_bundle", "read_bundle", "resolve_path", "write_bundle",
]
